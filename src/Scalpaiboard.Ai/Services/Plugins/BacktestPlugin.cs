using System.ComponentModel;
using System.Text.Json.Nodes;
using Microsoft.SemanticKernel;
using Scalpaiboard.Market.Signals;

namespace Scalpaiboard.Ai.Services.Plugins;

/// <summary>
/// Backtests of a preset (BACKTEST.md) through the Alerts service as the kernel's <see cref="ToolSession"/> user:
/// starts one over the last days, polls it until it is done or the wait runs out, and answers with its statistics
/// (or, still running, with its id and progress, so the user can look it up later on the backtests API).
/// </summary>
public sealed class BacktestPlugin(MarketServicesClient api, TimeProvider time)
{
    public const int MaxWaitSeconds = 60;
    public const int MaxDays = 30;

    /// <summary>The ten presets' keys (SIGNALS.md).</summary>
    public static IReadOnlyList<string> Presets => PresetTypes.Keys;

    /// <summary>How often a started backtest is polled.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    [KernelFunction(ToolNames.BacktestPreset)]
    [Description("Backtests a signal preset over the last days of stored 1m candles (all symbols unless given): a position at every " +
        "signal with a take-profit, a stop and a time exit. Answers with trades, win rate, profit factor, total return, max drawdown, " +
        "Sharpe, average R. Waits up to waitSeconds; a backtest still running is answered with its id and progress.")]
    public async Task<JsonObject> BacktestPresetAsync(
        Kernel kernel,
        [Description("The preset, e.g. futures_pioneer_bull (\"Pioneer Bull\" is read as futures_pioneer_bull)")] string rule,
        [Description("Days back from now to trade (1-30, default 7)")] int days = 7,
        [Description("Symbols to test, comma separated (default: all)")] string? symbols = null,
        [Description("Take-profit distance from the entry, percent (default 2)")] double? takeProfitPct = null,
        [Description("Stop distance from the entry, percent (default 1)")] double? stopLossPct = null,
        [Description("Time exit in minutes (default 240)")] int? maxHoldMinutes = null,
        [Description("Seconds to wait for the result (0-60, default 60)")] int waitSeconds = MaxWaitSeconds,
        CancellationToken cancellationToken = default)
    {
        var session = ToolSession.Require(kernel);
        var preset = NormalizePreset(rule);
        if (days is < 1 or > MaxDays)
        {
            throw new ToolException($"days: must be between 1 and {MaxDays}");
        }
        if (waitSeconds is < 0 or > MaxWaitSeconds)
        {
            throw new ToolException($"waitSeconds: must be between 0 and {MaxWaitSeconds}");
        }
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var from = (now - days * 86_400_000L) / 60_000 * 60_000;
        var body = new Dictionary<string, object?> { ["rule"] = preset, ["from"] = from };
        if (!string.IsNullOrWhiteSpace(symbols))
        {
            body["symbols"] = symbols.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries).Select(ToolArguments.NormalizeSymbol).Distinct().ToArray();
        }
        if (takeProfitPct is { } tp)
        {
            body["takeProfitPct"] = tp;
        }
        if (stopLossPct is { } sl)
        {
            body["stopLossPct"] = sl;
        }
        if (maxHoldMinutes is { } hold)
        {
            body["maxHoldMinutes"] = hold;
        }

        var created = await api.PostAsync(session.UserId, $"{MarketServicesClient.Alerts}/api/backtests", body, cancellationToken);
        var id = created?["id"]?.ToString() ?? throw new ToolException("the alerts service did not return a backtest id");
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(waitSeconds);
        JsonNode? run;
        while (true)
        {
            run = await api.GetAsync(session.UserId, $"{MarketServicesClient.Alerts}/api/backtests/{id}", cancellationToken);
            var status = run?["status"]?.ToString();
            if (status is "completed" or "failed" || time.GetUtcNow() + PollInterval > deadline)
            {
                break;
            }
            await Task.Delay(PollInterval, time, cancellationToken);
        }
        return Answer(id, preset, days, run);
    }

    private static JsonObject Answer(string id, string rule, int days, JsonNode? run)
    {
        var status = run?["status"]?.ToString() ?? "unknown";
        var answer = new JsonObject
        {
            ["id"] = id,
            ["rule"] = rule,
            ["days"] = days,
            ["status"] = status,
            ["progress"] = run?["progress"]?.DeepClone(),
        };
        switch (status)
        {
            case "completed":
                answer["summary"] = run?["summary"]?.DeepClone();
                break;
            case "failed":
                answer["error"] = run?["error"]?.DeepClone() ?? "the backtest failed";
                break;
            default:
                answer["note"] = $"Still {status}; look it up later: GET /api/backtests/{id}.";
                break;
        }
        return answer;
    }

    /// <summary>A preset key from a key or a name: "Pioneer Bull", "pioneer_bull" and "futures_pioneer_bull" all give futures_pioneer_bull.</summary>
    public static string NormalizePreset(string? rule)
    {
        static string Squash(string s) => new string(s.Where(char.IsAsciiLetterOrDigit).ToArray()).ToLowerInvariant();
        var wanted = Squash(rule ?? "");
        if (wanted.StartsWith("futures", StringComparison.Ordinal))
        {
            wanted = wanted["futures".Length..];
        }
        return Presets.FirstOrDefault(p => Squash(p["futures_".Length..]) == wanted)
            ?? throw new ToolException($"rule: '{rule}' is not a preset; one of {string.Join(", ", Presets)}");
    }
}
