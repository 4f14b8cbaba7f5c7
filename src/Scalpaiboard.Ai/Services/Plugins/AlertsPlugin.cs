using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Microsoft.SemanticKernel;
using static Scalpaiboard.Ai.Services.Plugins.ToolArguments;

namespace Scalpaiboard.Ai.Services.Plugins;

/// <summary>
/// The user's alerts: create, list, pause or resume, delete. Every call goes to the Alerts service with the kernel's
/// <see cref="ToolSession"/> user's signed identity, so a user only ever sees and changes their own alerts (another
/// user's alert id answers 404 there).
/// </summary>
public sealed class AlertsPlugin(MarketServicesClient api)
{
    public static readonly string[] ConditionTypes =
    [
        "price_above", "price_below", "price_cross", "change_above", "change_below", "volume_above",
        "rsi_above", "rsi_below", "rsi_cross", "macd_cross", "bb_breakout", "supertrend_flip", "donchian_breakout",
        "funding_above", "funding_below", "oi_change_above", "oi_change_below", "liquidations_above",
    ];

    /// <summary>The liquidation sides liquidations_above takes (any: both added up).</summary>
    public static readonly string[] Sides = ["long", "short", "any"];

    private static readonly string[] WindowedConditions = ["change_above", "change_below", "volume_above"];
    private static readonly string[] ValuelessConditions = ["macd_cross", "bb_breakout", "supertrend_flip", "donchian_breakout"];

    /// <summary>Conditions on one timeframe's trend indicators: the window names the timeframe, the direction up, down or any.</summary>
    private static readonly string[] TrendConditions = ["supertrend_flip", "donchian_breakout"];

    public static readonly string[] Directions = ["up", "down", "any"];

    /// <summary>The open-interest change is computed over 1h, 4h, 1d and liquidations watched over 5m, 1h (default 1h for both).</summary>
    private static readonly string[] OiChangeWindows = ["1h", "4h", "1d"];
    private static readonly string[] LiquidationWindows = ["5m", "1h"];

    [KernelFunction(ToolNames.CreateAlert)]
    [Description("Creates a price/indicator/derivatives alert for the user. Condition types: price_above, price_below, price_cross, " +
        "change_above, change_below, volume_above (these three need a window), rsi_above, rsi_below, rsi_cross, macd_cross, bb_breakout, " +
        "supertrend_flip (SuperTrend changed direction), donchian_breakout (the close broke the 20-bar Donchian channel) " +
        "(these two: no value; window = the timeframe, default 1h; direction up, down or any), " +
        "funding_above, funding_below (value: the funding rate as a fraction, 0.0005 = 0.05 %), " +
        "oi_change_above, oi_change_below (value: open-interest change in percent; window 1h, 4h or 1d, default 1h), " +
        "liquidations_above (value: liquidated USDT notional; window 5m or 1h, default 1h; side long, short or any).")]
    public async Task<JsonObject> CreateAlertAsync(
        Kernel kernel,
        [Description("Symbol, e.g. ETHUSDT (ETH is read as ETHUSDT)")] string symbol,
        [Description("Condition type, e.g. price_above or funding_above")]
        [AllowedValues("price_above", "price_below", "price_cross", "change_above", "change_below", "volume_above", "rsi_above",
            "rsi_below", "rsi_cross", "macd_cross", "bb_breakout", "supertrend_flip", "donchian_breakout", "funding_above", "funding_below",
            "oi_change_above", "oi_change_below", "liquidations_above")] string condition,
        [Description("Threshold: a price, a percent change (also the open-interest change), a USDT volume or liquidated notional, an RSI level, " +
            "or a funding rate as a fraction (0.0005 = 0.05 %, negative allowed) (not needed for macd_cross, bb_breakout, supertrend_flip, donchian_breakout)")] double? value = null,
        [Description("Window for change_above, change_below, volume_above: 5m, 15m, 1h, 4h, 8h or 1d; for oi_change_above/below: 1h, 4h or 1d; " +
            "for liquidations_above: 5m or 1h; for supertrend_flip and donchian_breakout the timeframe")]
        [AllowedValues("5m", "15m", "1h", "4h", "8h", "1d", null)] string? window = null,
        [Description("Which liquidations liquidations_above counts: long (longs liquidated), short, or any (both, the default)")]
        [AllowedValues("long", "short", "any", null)] string? side = null,
        [Description("For supertrend_flip and donchian_breakout: up (flip to up / break above), down, or any (the default)")]
        [AllowedValues("up", "down", "any", null)] string? direction = null,
        [Description("true to fire every time the condition holds (after the cooldown), false to fire once")] bool recurring = false,
        [Description("Minutes between two triggers of a recurring alert (default 5)")] int cooldownMinutes = 5,
        [Description("A note shown with the alert")] string? note = null,
        CancellationToken cancellationToken = default)
    {
        var session = ToolSession.Require(kernel);
        var sym = NormalizeSymbol(symbol);
        var type = (condition ?? "").Trim().ToLowerInvariant();
        if (!ConditionTypes.Contains(type))
        {
            throw new ToolException($"condition: '{condition}' is not one of {string.Join(", ", ConditionTypes)}");
        }
        var cond = new Dictionary<string, object> { ["type"] = type };
        if (!ValuelessConditions.Contains(type))
        {
            if (value is not { } v || !double.IsFinite(v))
            {
                throw new ToolException($"value: {type} needs a numeric threshold");
            }
            if (type.StartsWith("rsi", StringComparison.Ordinal) && v is < 0 or > 100)
            {
                throw new ToolException("value: an RSI level is between 0 and 100");
            }
            if ((type.StartsWith("price", StringComparison.Ordinal) || type == "volume_above") && v <= 0)
            {
                throw new ToolException($"value: {type} needs a positive number");
            }
            if (type.StartsWith("funding", StringComparison.Ordinal) && Math.Abs(v) > 0.1)
            {
                throw new ToolException("value: a funding rate is a fraction between -0.1 and 0.1 (0.0005 = 0.05 %)");
            }
            if (type.StartsWith("oi_change", StringComparison.Ordinal) && v < -100)
            {
                throw new ToolException("value: the open interest cannot fall by more than 100 percent");
            }
            if (type == "liquidations_above" && v < 0)
            {
                throw new ToolException("value: liquidations_above needs a USDT amount of 0 or more");
            }
            cond["value"] = v;
        }
        var w = (window ?? "").Trim().ToLowerInvariant();
        if (WindowedConditions.Contains(type))
        {
            if (!ToolArguments.Windows.Contains(w))
            {
                throw new ToolException($"window: {type} needs a window, one of {string.Join(", ", ToolArguments.Windows)}");
            }
            cond["window"] = w;
        }
        else if ((type.StartsWith("oi_change", StringComparison.Ordinal) ? OiChangeWindows : type == "liquidations_above" ? LiquidationWindows : null)
            is { } allowed && w.Length > 0)
        {
            if (!allowed.Contains(w))
            {
                throw new ToolException($"window: {type} takes one of {string.Join(", ", allowed)}");
            }
            cond["window"] = w;
        }
        else if (TrendConditions.Contains(type) && w.Length > 0)
        {
            if (!ToolArguments.Windows.Contains(w))
            {
                throw new ToolException($"window: {type} takes a timeframe, one of {string.Join(", ", ToolArguments.Windows)}");
            }
            cond["window"] = w;
        }
        if (TrendConditions.Contains(type) && !string.IsNullOrWhiteSpace(direction))
        {
            var d = direction.Trim().ToLowerInvariant();
            if (!Directions.Contains(d))
            {
                throw new ToolException($"direction: one of {string.Join(", ", Directions)}");
            }
            cond["direction"] = d;
        }
        if (type == "liquidations_above" && !string.IsNullOrWhiteSpace(side))
        {
            var s = side.Trim().ToLowerInvariant();
            if (!Sides.Contains(s))
            {
                throw new ToolException($"side: one of {string.Join(", ", Sides)}");
            }
            cond["side"] = s;
        }
        if (cooldownMinutes is < 0 or > 10080)
        {
            throw new ToolException("cooldownMinutes: must be between 0 and 10080");
        }
        var body = new Dictionary<string, object?>
        {
            ["symbol"] = sym,
            ["conditions"] = new[] { cond },
            ["recurring"] = recurring,
            ["cooldownMinutes"] = cooldownMinutes,
            ["note"] = note ?? "",
        };
        var created = await api.PostAsync(session.UserId, $"{MarketServicesClient.Alerts}/api/alerts", body, cancellationToken);
        return new JsonObject { ["created"] = true, ["alert"] = created?.DeepClone() };
    }

    [KernelFunction(ToolNames.ListAlerts)]
    [Description("Lists the user's alerts with their conditions, whether each is enabled (not paused) and how often it fired.")]
    public async Task<JsonObject> ListAlertsAsync(
        Kernel kernel,
        [Description("Only the alerts of this symbol, e.g. BTCUSDT (optional)")] string? symbol = null,
        CancellationToken cancellationToken = default)
    {
        var session = ToolSession.Require(kernel);
        var sym = string.IsNullOrWhiteSpace(symbol) ? null : NormalizeSymbol(symbol);
        var response = await api.GetAsync(session.UserId, $"{MarketServicesClient.Alerts}/api/alerts", cancellationToken);
        var all = response?["alerts"] as JsonArray ?? response as JsonArray ?? [];
        var alerts = new JsonArray();
        foreach (var alert in all.OfType<JsonObject>())
        {
            if (sym is null || string.Equals(alert["symbol"]?.ToString(), sym, StringComparison.Ordinal))
            {
                alerts.Add(alert.DeepClone());
            }
        }
        return new JsonObject { ["count"] = alerts.Count, ["symbol"] = sym, ["alerts"] = alerts };
    }

    [KernelFunction(ToolNames.PauseAlert)]
    [Description("Pauses one of the user's alerts (it stays, but does not fire), or resumes a paused one.")]
    public async Task<JsonObject> PauseAlertAsync(
        Kernel kernel,
        [Description("The alert's id, as list_alerts shows it")] long alertId,
        [Description("true to pause (the default), false to resume")] bool pause = true,
        CancellationToken cancellationToken = default)
    {
        var session = ToolSession.Require(kernel);
        var url = $"{MarketServicesClient.Alerts}/api/alerts/{alertId}";
        var alert = await api.GetAsync(session.UserId, url, cancellationToken) as JsonObject
            ?? throw new ToolException($"alert {alertId} was not found");
        var conditions = new JsonArray();
        foreach (var condition in alert["conditions"] as JsonArray ?? [])
        {
            // the canonical form without the empty fields, as a create body would carry it
            var clean = new JsonObject();
            foreach (var (key, value) in condition as JsonObject ?? [])
            {
                if (value is not null)
                {
                    clean[key] = value.DeepClone();
                }
            }
            conditions.Add(clean);
        }
        var body = new JsonObject
        {
            ["symbol"] = alert["symbol"]?.DeepClone(),
            ["conditions"] = conditions,
            ["recurring"] = alert["recurring"]?.DeepClone(),
            ["cooldownMinutes"] = alert["cooldownMinutes"]?.DeepClone(),
            ["note"] = alert["note"]?.DeepClone(),
            ["enabled"] = !pause,
        };
        var updated = await api.PutAsync(session.UserId, url, body, cancellationToken);
        return new JsonObject { ["paused"] = pause, ["alert"] = updated?.DeepClone() };
    }

    [KernelFunction(ToolNames.DeleteAlert)]
    [Description("Deletes one of the user's alerts for good.")]
    public async Task<JsonObject> DeleteAlertAsync(
        Kernel kernel,
        [Description("The alert's id, as list_alerts shows it")] long alertId,
        CancellationToken cancellationToken = default)
    {
        var session = ToolSession.Require(kernel);
        await api.DeleteAsync(session.UserId, $"{MarketServicesClient.Alerts}/api/alerts/{alertId}", cancellationToken);
        return new JsonObject { ["deleted"] = true, ["alertId"] = alertId };
    }
}
