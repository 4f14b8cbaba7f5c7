using Scalpaiboard.Web.Apis;
using Scalpaiboard.Web.Components;
using Scalpaiboard.Web.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseSecurityHeaders();
app.UseExceptionHandler(error => error.Run(ErrorPage.WriteAsync));
// Unknown GET routes get the site's not-found page; other methods keep their bare status.
app.UseWhen(c => HttpMethods.IsGet(c.Request.Method), get => get.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapDefaultEndpoints();
app.MapSessionApi();
app.MapRazorComponents<App>();

app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
