using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Scalpaiboard.Alerts.Infrastructure;
using Scalpaiboard.Alerts.Model;
using Scalpaiboard.Alerts.Services.Engine;

namespace Scalpaiboard.Alerts.Apis;

/// <summary>Preset definitions and the signal history (anonymous).</summary>
public static class SignalsApi
{
    public const int MaxLimit = 10_000;

    public static IEndpointRouteBuilder MapSignalsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Signals");
        api.MapGet("/presets", GetPresets);
        api.MapGet("/signals", GetSignals);
        return app;
    }

    public static Ok<PresetList> GetPresets(PresetRules presets, IOptions<AlertsOptions> options) =>
        TypedResults.Ok(new PresetList(presets.Describe(), options.Value.CooldownMinutes));

    public static async Task<Results<Ok<SignalPage>, ValidationProblem>> GetSignals(
        SignalStore store, string? symbol, string? type, string? from, string? to, string? limit, string? offset, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var lim = ParseInt(limit, 100, 1, MaxLimit, "limit", errors);
        var off = ParseInt(offset, 0, 0, int.MaxValue, "offset", errors);
        var f = ParseTime(from, "from", errors);
        var t = ParseTime(to, "to", errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var q = new SignalQuery(string.IsNullOrWhiteSpace(symbol) ? null : symbol.Trim().ToUpperInvariant(),
            string.IsNullOrWhiteSpace(type) ? null : type.Trim().ToLowerInvariant(), f, t, lim, off);
        return TypedResults.Ok(await store.QueryAsync(q, cancellationToken));
    }

    private static int ParseInt(string? s, int fallback, int min, int max, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(s))
        {
            return fallback;
        }
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
        {
            errors[field] = [$"{field} must be an integer from {min} to {max}."];
            return fallback;
        }
        return v;
    }

    /// <summary>Unix milliseconds or an ISO-8601 time (UTC unless an offset is given).</summary>
    public static long? ParseTime(string? s, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(s))
        {
            return null;
        }
        if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms))
        {
            return ms;
        }
        if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var dto))
        {
            return dto.ToUnixTimeMilliseconds();
        }
        errors[field] = [$"{field} must be Unix milliseconds or an ISO-8601 time."];
        return null;
    }
}
