using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Scalpaiboard.Ai.Services.Patterns;
using Scalpaiboard.Ai.Services.Plugins;

namespace Scalpaiboard.Ai.Services.Local;

/// <summary>Readable answers from tool results, for the local provider.</summary>
public static class LocalAnswerWriter
{
    public const string Capabilities =
        "Here is what I can do:\n" +
        "- screen coins: \"find coins with 1h volume over 1M and 5m change above 1%\", \"find coins with the biggest 1h volume\", \"top 10 gainers 4h\"\n" +
        "- screen on funding, open interest, long/short ratio and liquidations: \"coins with negative funding and rising open interest\", " +
        "\"highest funding\", \"OI surge\", \"funding above 0.05%\", \"open interest over 100M\", \"1h long liquidations above 1M\"\n" +
        "- analyse a coin: \"analyze SOLUSDT on 15m\"\n" +
        "- find chart patterns: \"find patterns on BTCUSDT 1h\"\n" +
        "- create alerts: \"alert me when ETHUSDT goes above 4000\", \"alert me when BTC 1h change is above 3%\"\n" +
        "- manage your alerts: \"show my alerts\", \"pause alert 12\", \"resume alert 12\", \"delete alert 12\"\n" +
        "- manage your watchlist: \"add BTC to my watchlist\", \"remove BTC from my watchlist\", \"show my portfolio\"\n" +
        "- export the last result: \"export that as CSV\" (or JSON)\n" +
        "- backtest a preset: \"backtest futures_pioneer_bull over the last 7 days\", \"how did Pioneer Bull do last week?\"";

    public static string NotUnderstood(string message) =>
        $"Sorry, I did not understand \"{Shorten(message, 80)}\". I am the built-in offline assistant and only know a few kinds of request.\n\n" + Capabilities;

    public static string Write(string tool, JsonNode? result)
    {
        if (result is JsonObject o && o["error"] is { } error)
        {
            return $"I could not complete {tool.Replace('_', ' ')}: {error}.";
        }
        return tool switch
        {
            ToolNames.FilterCoins => Coins(result),
            ToolNames.GetCoinAnalysis => Analysis(result),
            ToolNames.CreateAlert => Alert(result),
            ToolNames.AddToWatchlist => $"Added {result?["symbol"]} to your watchlist.",
            ToolNames.RemoveFromWatchlist => $"Removed {result?["symbol"]} from your watchlist.",
            ToolNames.ListAlerts => Alerts(result),
            ToolNames.PauseAlert => result?["paused"]?.GetValue<bool>() == true
                ? $"Paused alert {result?["alert"]?["id"]}: it stays, but does not fire until you resume it."
                : $"Resumed alert {result?["alert"]?["id"]}.",
            ToolNames.DeleteAlert => $"Deleted alert {result?["alertId"]}.",
            ToolNames.AnalyzePattern => Patterns(result),
            ToolNames.ExportResults =>
                $"Your {result?["format"]?.ToString().ToUpperInvariant()} export of the last {result?["source"]} result ({result?["rows"]} rows) is ready: " +
                $"[{result?["fileName"]}]({result?["url"]})",
            ToolNames.GetPortfolio => Portfolio(result),
            ToolNames.BacktestPreset => Backtest(result),
            _ => result?.ToJsonString() ?? "Done.",
        };
    }

    private static string Backtest(JsonNode? r)
    {
        var head = $"Backtest of {r?["rule"]} over the last {r?["days"]} days";
        switch (r?["status"]?.ToString())
        {
            case "completed":
                var s = r?["summary"];
                if (s?["trades"]?.GetValue<int>() is null or 0)
                {
                    return $"{head}: no trades (the preset did not fire on the stored candles of that period).";
                }
                var exits = s["exits"];
                return $"{head}: {s["trades"]} trades ({s["wins"]} won, {s["losses"]} lost), win rate {Percent(s["winRate"])}, " +
                    $"profit factor {Fmt(s["profitFactor"])}, total return {Fmt(s["totalReturnPct"])}%, max drawdown {Fmt(s["maxDrawdownPct"])}%, " +
                    $"Sharpe {Fmt(s["sharpe"])}, average R {Fmt(s["avgR"])}, average hold {Fmt(s["avgHoldMinutes"])} min; " +
                    $"exits: {exits?["target"]} target, {exits?["stop"]} stop, {exits?["time"]} time, {exits?["end"]} end; " +
                    $"{s["skippedSignals"]} signals skipped while a position was open. (Backtest {r?["id"]}.)";
            case "failed":
                return $"{head} failed: {r?["error"]}.";
            default:
                return $"{head} is still {r?["status"]} ({Percent(r?["progress"])} done). Its id is {r?["id"]}: look at it later under Backtests.";
        }
    }

    private static string Percent(JsonNode? fraction)
    {
        var d = Bar.Number(fraction);
        return double.IsFinite(d) ? (100 * d).ToString("0.#", CultureInfo.InvariantCulture) + "%" : "n/a";
    }

    private static string Coins(JsonNode? result)
    {
        var coins = result?["coins"] as JsonArray ?? [];
        var sortBy = result?["sortBy"]?.ToString() ?? "quoteVolume_1d";
        var filters = result?["filters"] as JsonObject ?? [];
        var fields = filters.Select(f => Field(f.Key)).Append(sortBy).Where(f => f != "price").Distinct().Take(4).ToList();
        var sb = new StringBuilder();
        var criteria = filters.Count == 0 ? "" : " with " + string.Join(" and ", filters.Select(f => Criterion(f.Key, f.Value)));
        sb.Append(CultureInfo.InvariantCulture, $"Found {result?["total"]} coins{criteria}, sorted by {sortBy} {result?["sortOrder"]}");
        if (coins.Count == 0)
        {
            // a bound on a value the feed does not have (no derivatives in a replay) matches nothing, not everything
            return sb.Append(". Nothing matches right now (a coin whose value is unavailable never passes a bound on it).").ToString();
        }
        sb.Append(CultureInfo.InvariantCulture, $"; the first {coins.Count}:\n");
        var i = 0;
        foreach (var coin in coins)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{++i}. {coin?["symbol"]} at {Fmt(coin?["price"])}");
            foreach (var f in fields)
            {
                sb.Append(CultureInfo.InvariantCulture, $", {f} {Value(f, coin?[f])}");
            }
            sb.Append('\n');
        }
        if (result?["note"] is { } note)
        {
            sb.Append(CultureInfo.InvariantCulture, $"Note: {note}.\n");
        }
        return sb.Append("Say \"export that as CSV\" to download this list.").ToString();
    }

    private static string Analysis(JsonNode? r)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{r?["symbol"]} on {r?["timeframe"]}: price {Fmt(r?["price"])}, trend {r?["trend"]?["direction"]} ({r?["trend"]?["reason"]}).\n");
        var ind = r?["indicators"];
        sb.Append(CultureInfo.InvariantCulture, $"RSI(14) {Fmt(ind?["rsi14"])}, EMA20 {Fmt(ind?["ema20"])}, EMA50 {Fmt(ind?["ema50"])}, ATR(14) {Fmt(ind?["atr14"])}.\n");
        sb.Append(CultureInfo.InvariantCulture, $"Support: {List(r?["support"])}; resistance: {List(r?["resistance"])}; pivot {Fmt(r?["pivots"]?["pp"])} (R1 {Fmt(r?["pivots"]?["r1"])}, S1 {Fmt(r?["pivots"]?["s1"])}).\n");
        if (r?["derivatives"] is JsonObject derivatives)
        {
            sb.Append(Derivatives(derivatives));
        }
        var signals = r?["recentSignals"] as JsonArray ?? [];
        sb.Append(signals.Count == 0 ? "No recent preset signals."
            : "Recent signals: " + string.Join(", ", signals.Take(5).Select(s => $"{s?["type"]} at {Fmt(s?["price"])}")) + ".");
        return sb.ToString();
    }

    /// <summary>Open interest, funding, long/short ratios and liquidations of <c>get_coin_analysis</c>; each value the
    /// feed does not have is said to be unavailable.</summary>
    private static string Derivatives(JsonObject d)
    {
        var unavailable = (d["unavailable"] as JsonArray ?? []).Select(n => n?.ToString()).ToHashSet();
        if (CoinDerivatives.Fields.All(unavailable.Contains))
        {
            return "Open interest, funding, long/short ratios and liquidations: unavailable for this coin (no derivatives data from the feed).\n";
        }
        var sb = new StringBuilder();
        var oi = d["oiChangePercent"];
        sb.Append(CultureInfo.InvariantCulture, $"Open interest {Usdt(d["openInterestValue"])}");
        if (d["openInterest"] is { } contracts)
        {
            sb.Append(CultureInfo.InvariantCulture, $" ({Compact(contracts)} contracts)");
        }
        sb.Append(CultureInfo.InvariantCulture,
            $"; change 1h {SignedPercent(oi?["1h"])}, 4h {SignedPercent(oi?["4h"])}, 1d {SignedPercent(oi?["1d"])}.\n");
        sb.Append(CultureInfo.InvariantCulture, $"Funding rate {FundingPercent(d["fundingRate"])}");
        if (d["nextFundingTime"] is { } next && DateTimeOffset.TryParse(next.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            sb.Append(CultureInfo.InvariantCulture, $", next funding at {at.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
            if (d["minutesToNextFunding"]?.GetValue<long>() is { } minutes)
            {
                sb.Append(CultureInfo.InvariantCulture, $" (in {minutes / 60}h {minutes % 60:00}m)");
            }
        }
        else
        {
            sb.Append(", next funding time unavailable");
        }
        sb.Append(".\n");
        sb.Append(CultureInfo.InvariantCulture, $"Long/short ratio {Number(d["longShortRatio"])} (accounts), top traders {Number(d["topTraderLongShortRatio"])}, " +
            $"taker buy/sell {Number(d["takerBuySellRatio"])}.\n");
        var liq = d["liquidationsUsdt"];
        sb.Append(CultureInfo.InvariantCulture,
            $"Liquidations: 1h {Usdt(liq?["long_1h"])} longs / {Usdt(liq?["short_1h"])} shorts, 1d {Usdt(liq?["long_1d"])} longs / " +
            $"{Usdt(liq?["short_1d"])} shorts (a lower bound: Binance reports at most one liquidation per symbol per second).\n");
        return sb.ToString();
    }

    private static string Number(JsonNode? v) => v is null ? "unavailable" : Fmt(v);

    private static string Usdt(JsonNode? v) => v is null ? "unavailable" : Compact(v) + " USDT";

    private static string SignedPercent(JsonNode? v) => v is null ? "unavailable" : Signed(v) + "%";

    /// <summary>A funding rate (a fraction) in percent: 0.0001 is "+0.01%".</summary>
    private static string FundingPercent(JsonNode? fraction, bool signed = true)
    {
        var d = Bar.Number(fraction);
        if (!double.IsFinite(d))
        {
            return "unavailable";
        }
        var percent = Math.Round(d * 100, 6);
        return (signed && percent > 0 ? "+" : "") + percent.ToString("0.######", CultureInfo.InvariantCulture) + "%";
    }

    private static string Alert(JsonNode? r)
    {
        var alert = r?["alert"];
        var cond = alert?["conditions"]?[0];
        var what = cond is null ? "" : $" when {Describe(cond)}";
        var recurring = alert?["recurring"]?.GetValue<bool>() == true ? "every time (after its cooldown)" : "once";
        return $"Done: alert {alert?["id"]} on {alert?["symbol"]}{what}; it fires {recurring}.";
    }

    private static string Alerts(JsonNode? r)
    {
        var alerts = r?["alerts"] as JsonArray ?? [];
        if (alerts.Count == 0)
        {
            return r?["symbol"] is { } s ? $"You have no alerts on {s}." : "You have no alerts.";
        }
        var sb = new StringBuilder(alerts.Count == 1 ? "You have 1 alert:\n" : $"You have {alerts.Count} alerts:\n");
        foreach (var alert in alerts)
        {
            var conditions = (alert?["conditions"] as JsonArray ?? []).Where(c => c is not null).Select(c => Describe(c!));
            var state = alert?["enabled"]?.GetValue<bool>() == false ? " (paused)" : "";
            sb.Append(CultureInfo.InvariantCulture, $"- {alert?["id"]}: {alert?["symbol"]} when {string.Join(" and ", conditions)}{state}\n");
        }
        return sb.ToString().TrimEnd();
    }

    private static string Describe(JsonNode cond)
    {
        var type = cond["type"]?.ToString() ?? "";
        var window = cond["window"]?.ToString();
        var value = Fmt(cond["value"]);
        return type switch
        {
            "price_above" => $"the price goes above {value}",
            "price_below" => $"the price goes below {value}",
            "price_cross" => $"the price crosses {value}",
            "change_above" => $"the {window} change is above {value}%",
            "change_below" => $"the {window} change is below {value}%",
            "volume_above" => $"the {window} volume is above {value} USDT",
            "rsi_above" => $"RSI goes above {value}",
            "rsi_below" => $"RSI goes below {value}",
            "rsi_cross" => $"RSI crosses {value}",
            _ => type.Replace('_', ' '),
        };
    }

    private static string Patterns(JsonNode? r)
    {
        var patterns = r?["patterns"] as JsonArray ?? [];
        if (patterns.Count == 0)
        {
            return $"No chart pattern stands out on {r?["symbol"]} {r?["timeframe"]} over the last {r?["bars"]} bars ({r?["method"]}).";
        }
        var sb = new StringBuilder($"Patterns on {r?["symbol"]} {r?["timeframe"]} (last {r?["bars"]} bars):\n");
        foreach (var p in patterns)
        {
            var confidence = (p?["confidence"]?.GetValue<double>() ?? 0).ToString("P0", CultureInfo.InvariantCulture);
            sb.Append(CultureInfo.InvariantCulture, $"- {p?["pattern"]?.ToString().Replace('_', ' ')} ({p?["bias"]}, {p?["status"]}, confidence {confidence}): {p?["description"]}\n");
        }
        return sb.Append(CultureInfo.InvariantCulture, $"Method: {r?["method"]}.").ToString();
    }

    private static string Portfolio(JsonNode? r)
    {
        var p = r?["portfolio"];
        var items = p as JsonArray ?? p?["items"] as JsonArray ?? p?["data"] as JsonArray ?? p?["coins"] as JsonArray;
        if (items is null)
        {
            return "Your portfolio: " + (p?.ToJsonString() ?? "empty");
        }
        if (items.Count == 0)
        {
            return "Your watchlist is empty. Say \"add BTC to my watchlist\" to start one.";
        }
        var sb = new StringBuilder($"Your portfolio ({items.Count} coins):\n");
        foreach (var item in items)
        {
            sb.Append(CultureInfo.InvariantCulture, $"- {item?["symbol"]}");
            if ((item?["currentPrice"] ?? item?["price"]) is { } price)
            {
                sb.Append(CultureInfo.InvariantCulture, $" at {Fmt(price)}");
            }
            if (item?["changePercent"] is { } since)
            {
                sb.Append(CultureInfo.InvariantCulture, $", {Signed(since)}% since added at {Fmt(item["addedPrice"])}");
            }
            foreach (var key in new[] { "change_1h", "change_1d" })
            {
                if (item?[key] is { } v)
                {
                    sb.Append(CultureInfo.InvariantCulture, $", {key} {Signed(v)}%");
                }
            }
            sb.Append('\n');
        }
        if (p?["averageChangePercent"] is { } average)
        {
            sb.Append(CultureInfo.InvariantCulture, $"Average: {Signed(average)}%");
            if (p["best"]?["symbol"] is { } best && p["worst"]?["symbol"] is { } worst)
            {
                sb.Append(CultureInfo.InvariantCulture, $"; best {best}, worst {worst}");
            }
            sb.Append('.');
        }
        return sb.ToString().TrimEnd();
    }

    private static string Signed(JsonNode? v)
    {
        var d = Bar.Number(v);
        return double.IsFinite(d) && d > 0 ? "+" + Fmt(v) : Fmt(v);
    }

    private static string Field(string bound) =>
        bound.StartsWith("min", StringComparison.Ordinal) || bound.StartsWith("max", StringComparison.Ordinal)
            ? char.ToLowerInvariant(bound[3]) + bound[4..] : bound;

    /// <summary>"change_5m >= 1%"; a bound of ±<see cref="ScreenerPlugin.JustAboveZero"/> is the strict "fundingRate &lt; 0%".</summary>
    private static string Criterion(string bound, JsonNode? value)
    {
        var isMin = bound.StartsWith("min", StringComparison.Ordinal);
        var field = Field(bound);
        return Math.Abs(Bar.Number(value)) == ScreenerPlugin.JustAboveZero
            ? $"{field} {(isMin ? ">" : "<")} {Value(field, JsonValue.Create(0.0), signed: false)}"
            : $"{field} {(isMin ? ">=" : "<=")} {Value(field, value, signed: false)}";
    }

    private static string Value(string field, JsonNode? v, bool signed = true)
    {
        if (v is null)
        {
            return "unavailable";
        }
        if (field.StartsWith("fundingRate", StringComparison.OrdinalIgnoreCase))
        {
            return FundingPercent(v, signed);
        }
        if (field.StartsWith("nextFundingTime", StringComparison.OrdinalIgnoreCase) && double.IsFinite(Bar.Number(v)))
        {
            return DateTimeOffset.FromUnixTimeMilliseconds((long)Bar.Number(v)).ToString("HH:mm 'UTC'", CultureInfo.InvariantCulture);
        }
        return field.StartsWith("change", StringComparison.OrdinalIgnoreCase) || field.StartsWith("oiChange", StringComparison.OrdinalIgnoreCase) ? Fmt(v) + "%"
            : field.StartsWith("quoteVolume", StringComparison.OrdinalIgnoreCase) || field.StartsWith("openInterest", StringComparison.OrdinalIgnoreCase)
              || field.StartsWith("liquidations", StringComparison.OrdinalIgnoreCase) ? Compact(v)
            : Fmt(v);
    }

    private static string List(JsonNode? array) =>
        array is JsonArray a && a.Count > 0 ? string.Join(", ", a.Select(Fmt)) : "none found";

    private static string Compact(JsonNode? v)
    {
        var d = Bar.Number(v);
        return !double.IsFinite(d) ? "n/a"
            : Math.Abs(d) >= 1e9 ? (d / 1e9).ToString("0.##", CultureInfo.InvariantCulture) + "B"
            : Math.Abs(d) >= 1e6 ? (d / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + "M"
            : Math.Abs(d) >= 1e3 ? (d / 1e3).ToString("0.##", CultureInfo.InvariantCulture) + "K"
            : d.ToString("0.##", CultureInfo.InvariantCulture);
    }

    internal static string Fmt(JsonNode? v)
    {
        var d = Bar.Number(v);
        if (!double.IsFinite(d))
        {
            return v?.ToString() ?? "n/a";
        }
        return d.ToString(Math.Abs(d) >= 100 ? "#,0.##" : Math.Abs(d) >= 0.01 ? "0.####" : "0.########", CultureInfo.InvariantCulture);
    }

    private static string Shorten(string s, int max) => s.Length <= max ? s : s[..max] + "...";
}
