using Microsoft.Extensions.Logging.Abstractions;
using Scalpaiboard.AppHost.Hosting;

namespace Scalpaiboard.AppHost.Tests.Hosting;

public sealed class ScalpaiboardModelTests
{
    private static readonly Dictionary<string, string> Urls = new()
    {
        ["ingest"] = "http://127.0.0.1:1001",
        ["alerts"] = "http://127.0.0.1:1002",
        ["gateway"] = "http://127.0.0.1:8080",
    };

    private static readonly Dictionary<string, string> Connections = new()
    {
        ["postgres"] = "Host=127.0.0.1;Port=5999;Username=postgres;Database=scalpaiboard",
        ["redis"] = "127.0.0.1:6999",
    };

    private static readonly Dictionary<string, string> SecretValues = new() { ["Identity__SigningKey"] = "generated-signing-key-0123456789" };

    [Fact]
    public void ProjectEnvironment_HasAspireNames_ForEveryOtherService()
    {
        var env = ScalpaiboardModel.ProjectEnvironment("ingest", new AppHostOptions(), Urls, Connections, SecretValues, new Dictionary<string, string?>());

        Assert.Equal("http://127.0.0.1:1001", env["ASPNETCORE_URLS"]);
        Assert.Equal("ingest", env["OTEL_SERVICE_NAME"]);
        Assert.Equal(Connections["postgres"], env["ConnectionStrings__postgres"]);
        Assert.Equal("127.0.0.1:6999", env["ConnectionStrings__redis"]);
        Assert.Equal("http://127.0.0.1:1002", env["services__alerts__http__0"]);
        Assert.Equal("http://127.0.0.1:8080", env["services__gateway__http__0"]);
        Assert.False(env.ContainsKey("services__ingest__http__0"));
        Assert.Equal("Development", env["ASPNETCORE_ENVIRONMENT"]);
        Assert.Equal("Development", env["DOTNET_ENVIRONMENT"]);
        Assert.Equal("generated-signing-key-0123456789", env["Identity__SigningKey"]);
        Assert.False(env.ContainsKey("OTEL_EXPORTER_OTLP_ENDPOINT"));
        Assert.Null(env["ASPNETCORE_HTTP_PORTS"]);
    }

    [Fact]
    public void ProjectEnvironment_KeepsTheCallersEnvironmentAndSigningKey()
    {
        var caller = new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = "Staging", ["Identity__SigningKey"] = "callers-own-signing-key-987654321" };

        var env = ScalpaiboardModel.ProjectEnvironment("gateway", new AppHostOptions(), Urls, Connections, SecretValues, caller);

        Assert.Equal("Staging", env["ASPNETCORE_ENVIRONMENT"]);
        // Not overridden: the child inherits the caller's value.
        Assert.False(env.ContainsKey("Identity__SigningKey"));
    }

    [Fact]
    public void ProjectEnvironment_AllowsTheWebUisOrigin_AtTheGateway()
    {
        var urls = new Dictionary<string, string>(Urls) { ["web"] = "http://127.0.0.1:35000" };

        var gateway = ScalpaiboardModel.ProjectEnvironment("gateway", new AppHostOptions(), urls, Connections, SecretValues, new Dictionary<string, string?>());
        var ingest = ScalpaiboardModel.ProjectEnvironment("ingest", new AppHostOptions(), urls, Connections, SecretValues, new Dictionary<string, string?>());
        var callerSet = ScalpaiboardModel.ProjectEnvironment("gateway", new AppHostOptions(), urls, Connections, SecretValues,
            new Dictionary<string, string?> { ["Gateway__CorsOrigins__0"] = "https://screener.example" });

        Assert.Equal("http://127.0.0.1:35000", gateway["Gateway__CorsOrigins__0"]);
        Assert.Equal("http://localhost:35000", gateway["Gateway__CorsOrigins__1"]);
        Assert.False(ingest.ContainsKey("Gateway__CorsOrigins__0"));
        Assert.False(callerSet.ContainsKey("Gateway__CorsOrigins__0"));
    }

    [Fact]
    public void Build_WithConnectionStringsGiven_StartsNoServers_AndProjectsWaitForTheirDependencies()
    {
        var layout = new RepositoryLayout("/nonexistent");
        var caller = new Dictionary<string, string?>
        {
            ["ConnectionStrings__postgres"] = "Host=10.0.0.5;Port=5433;Username=app;Database=x",
            ["ConnectionStrings__redis"] = "10.0.0.6:6380,password=secret",
        };
        using var client = new HttpClient();

        var model = ScalpaiboardModel.Build(new AppHostOptions(), layout, "/tmp/none", "/tmp/none/postgres", SecretValues, caller, client, NullLogger.Instance);

        var byName = model.Resources.ToDictionary(r => r.Name);
        Assert.Equal(["ai", "alerts", "gateway", "ingest", "postgres", "redis", "web"], byName.Keys.Order());
        Assert.True(byName["postgres"].IsExternal);
        Assert.True(byName["redis"].IsExternal);
        Assert.Equal(["tcp://10.0.0.5:5433"], byName["postgres"].Endpoints);
        Assert.Equal(["postgres", "redis", "ingest", "alerts", "ai"], byName["gateway"].WaitFor);
        Assert.Equal(["gateway"], byName["web"].WaitFor);
        Assert.Equal(["http://127.0.0.1:8080"], byName["gateway"].Endpoints);
        Assert.Equal(["http://127.0.0.1:5000"], byName["web"].Endpoints);
        Assert.Equal(Scalpaiboard.AppHost.Model.ResourceType.Project, byName["ingest"].Type);
    }

    [Fact]
    public void Build_Only_StartsTheChosenResources()
    {
        using var client = new HttpClient();
        var options = AppHostOptions.Parse(["--only", "postgres,redis"]).Options!;

        var model = ScalpaiboardModel.Build(options, new RepositoryLayout("/nonexistent"), "/tmp/none", "/tmp/none/postgres", SecretValues,
            new Dictionary<string, string?>(), client, NullLogger.Instance);

        Assert.Equal(["postgres", "redis"], model.Resources.Select(r => r.Name));
    }
}
