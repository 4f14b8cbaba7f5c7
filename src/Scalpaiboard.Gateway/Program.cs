using Scalpaiboard.Gateway.Apis;
using Scalpaiboard.Gateway.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseGatewayPipeline();
app.MapDefaultEndpoints();
app.MapDocsApi();
app.MapHealthApi();
app.MapAuthApi();
app.MapLiveHub();
app.MapForwardingApi();

app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
