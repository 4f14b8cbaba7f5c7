using Scalpaiboard.AppHost.Hosting;

if (args.Any(a => a is "-h" or "--help"))
{
    Console.WriteLine(ServiceExtensions.Usage);
    return;
}

// Key-ring certificate rotation (docs/security.md): flags of this run, not configuration.
var rotateKeyRing = args.Contains("--rotate-key-ring");
var forgetPreviousKeyRings = args.Contains("--forget-previous-key-rings");
args = [.. args.Where(a => a is not ("--rotate-key-ring" or "--forget-previous-key-rings"))];

var builder = DistributedApplication.CreateBuilder(args);
var data = builder.AddDataFolder();
if (rotateKeyRing)
{
    data.RotateKeyRingCertificate();
}
if (forgetPreviousKeyRings)
{
    data.ForgetPreviousKeyRingCertificates();
}

var postgres = builder.AddPostgresServer("postgres", data, database: "scalpaiboard");
var redis = builder.AddRedisServer("redis", data);
var signingKey = builder.AddParameter("identity-signing-key", () => data.Secret("identity-signing-key"), secret: true);
var keyRing = builder.AddKeyRing(data);

// The two addresses people open: links in e-mails point at them, the Gateway lets the Web UI's origin in.
var webOrigin = $"http://127.0.0.1:{builder.Port("web-port", 5000)}";
var gatewayAddress = $"http://127.0.0.1:{builder.Port("gateway-port", 8080)}";

var ingest = builder.AddService<Projects.Scalpaiboard_Ingest>("ingest", signingKey)
    .WithReference(postgres).WaitFor(postgres)
    .WithReference(redis).WaitFor(redis);

var alerts = builder.AddService<Projects.Scalpaiboard_Alerts>("alerts", signingKey)
    .WithReference(postgres).WaitFor(postgres)
    .WithReference(redis).WaitFor(redis)
    .WithReference(ingest)
    .WithKeyRing(keyRing)
    // unless the operator gave public addresses (a domain in front of the machine)
    .WithEnvironment("Notifications__PublicWebUrl", builder.Configuration["Notifications:PublicWebUrl"] ?? webOrigin)
    .WithEnvironment("Notifications__PublicApiUrl", builder.Configuration["Notifications:PublicApiUrl"] ?? gatewayAddress)
    .WithWebPushKeys(data)
    // The Hangfire dashboard, opened from this machine (the dashboard lets only local, unproxied requests in).
    .WithUrlForEndpoint("http", _ => new ResourceUrlAnnotation { Url = "/hangfire", DisplayText = "Hangfire jobs" });

var ai = builder.AddService<Projects.Scalpaiboard_Ai>("ai", signingKey)
    .WithReference(postgres).WaitFor(postgres)
    .WithReference(redis).WaitFor(redis)
    .WithReference(ingest)
    .WithReference(alerts)
    .WithKeyRing(keyRing);

var gateway = builder.AddService<Projects.Scalpaiboard_Gateway>("gateway", signingKey, portOption: "gateway-port", defaultPort: 8080)
    .WithReference(postgres).WaitFor(postgres)
    .WithReference(redis).WaitFor(redis)
    // The services start beside it: until one is healthy the Gateway answers its routes with 502 problem details.
    .WithReference(ingest)
    .WithReference(alerts)
    .WithReference(ai)
    .WithKeyRing(keyRing)
    .WithEnvironment("Gateway__CorsOrigins__0", webOrigin)
    .WithEnvironment("Gateway__CorsOrigins__1", webOrigin.Replace("127.0.0.1", "localhost", StringComparison.Ordinal));

builder.AddService<Projects.Scalpaiboard_Web>("web", signingKey, portOption: "web-port", defaultPort: 5000)
    // Beside the Gateway too: until it answers, pages show that the market is unavailable.
    .WithReference(gateway)
    .WithEnvironment("Web__GatewayPublicUrl", gatewayAddress);

builder.Build().Run();
