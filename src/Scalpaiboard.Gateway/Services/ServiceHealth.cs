using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Scalpaiboard.Gateway.Model;
using Scalpaiboard.Gateway.Services.Forwarding;

namespace Scalpaiboard.Gateway.Services;

/// <summary>/api/health: the Gateway's own checks plus every service's /health, asked in parallel.</summary>
public sealed class ServiceHealth(IHttpClientFactory clients, HealthCheckService own, IOptions<GatewayOptions> options)
{
    public const string ClientName = "service-health";

    public async Task<SystemHealth> CheckAsync(CancellationToken cancellationToken)
    {
        var gateway = CheckOwnAsync(cancellationToken);
        var services = ServiceRoutes.Services.Select(s => CheckServiceAsync(s, cancellationToken)).ToArray();
        var results = new Dictionary<string, string> { ["gateway"] = (await gateway).ToString() };
        var statuses = await Task.WhenAll(services);
        for (var i = 0; i < statuses.Length; i++)
        {
            results[ServiceRoutes.Services[i]] = statuses[i].ToString();
        }
        var overall = statuses.Append(Enum.Parse<HealthStatus>(results["gateway"])).Min();
        // One service down leaves the rest usable: Degraded. Unhealthy only when nothing behind the Gateway answers.
        if (overall == HealthStatus.Unhealthy && statuses.Any(s => s != HealthStatus.Unhealthy) && results["gateway"] != nameof(HealthStatus.Unhealthy))
        {
            overall = HealthStatus.Degraded;
        }
        return new SystemHealth(overall.ToString(), results);
    }

    private async Task<HealthStatus> CheckOwnAsync(CancellationToken cancellationToken)
    {
        var report = await own.CheckHealthAsync(cancellationToken);
        return report.Status;
    }

    private async Task<HealthStatus> CheckServiceAsync(string service, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.Forwarding.HealthTimeout);
        try
        {
            using var response = await clients.CreateClient(ClientName).GetAsync(new Uri($"http://{service}/health"), timeout.Token);
            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            if (TryReadStatus(body, out var status))
            {
                return status;
            }
            return response.IsSuccessStatusCode ? HealthStatus.Healthy : HealthStatus.Unhealthy;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return HealthStatus.Unhealthy;
        }
    }

    private static bool TryReadStatus(byte[] body, out HealthStatus status)
    {
        status = HealthStatus.Unhealthy;
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String
                && Enum.TryParse(s.GetString(), ignoreCase: true, out status);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>The answer of GET /api/health.</summary>
public sealed record SystemHealth(string Status, IReadOnlyDictionary<string, string> Services);
