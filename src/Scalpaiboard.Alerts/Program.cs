using Scalpaiboard.Alerts.Apis;
using Scalpaiboard.Alerts.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapOpenApi();

app.MapSignalsApi();
app.MapAlertsApi();
app.MapSettingsApi();
app.MapPushSubscriptionsApi();
app.MapWatchlistApi();
app.MapBacktestsApi();
app.MapJobDashboard();

app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
