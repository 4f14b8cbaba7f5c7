var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();

var app = builder.Build();

app.UseExceptionHandler("/error");
app.MapDefaultEndpoints();
app.MapGet("/", () => Results.Content("<!doctype html><title>Scalpaiboard</title><p>Scalpaiboard web UI is being built.</p>", "text/html"));

app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
