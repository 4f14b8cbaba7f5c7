using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Scalpaiboard.ServiceDefaults;

/// <summary>Writes a health report as JSON: overall status plus each check's status and description.</summary>
public static class HealthResponseWriter
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var checks = new Dictionary<string, object?>();
        foreach (var (name, entry) in report.Entries)
        {
            checks[name] = new { status = entry.Status.ToString(), description = entry.Description, durationMs = entry.Duration.TotalMilliseconds };
        }
        return JsonSerializer.SerializeAsync(context.Response.Body,
            new { status = report.Status.ToString(), totalDurationMs = report.TotalDuration.TotalMilliseconds, checks },
            cancellationToken: context.RequestAborted);
    }
}
