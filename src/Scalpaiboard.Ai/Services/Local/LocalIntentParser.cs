using System.Globalization;
using System.Text.RegularExpressions;
using Scalpaiboard.Ai.Services.Plugins;

namespace Scalpaiboard.Ai.Services.Local;

/// <summary>A tool call the local provider decided on, or <see cref="Problem"/> when it understood the intent
/// but misses something (e.g. which coin).</summary>
public sealed record LocalIntent(string Tool, Dictionary<string, object?> Arguments, string? Problem = null);

/// <summary>
/// The local provider's small, deterministic English grammar (docs/ai.md, "Local provider"). It maps one request
/// to one tool call with arguments; it never guesses: what it does not recognise gives null.
/// </summary>
public static partial class LocalIntentParser
{
    private static readonly Dictionary<string, string> CoinNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["bitcoin"] = "BTC", ["ethereum"] = "ETH", ["ether"] = "ETH", ["solana"] = "SOL", ["ripple"] = "XRP",
        ["dogecoin"] = "DOGE", ["cardano"] = "ADA", ["avalanche"] = "AVAX", ["chainlink"] = "LINK", ["polkadot"] = "DOT",
        ["litecoin"] = "LTC", ["toncoin"] = "TON", ["shiba"] = "SHIB",
        // lower-case tickers that are not English words; ambiguous ones (link, dot, near, ton...) only count in upper case
        ["btc"] = "BTC", ["eth"] = "ETH", ["sol"] = "SOL", ["bnb"] = "BNB", ["xrp"] = "XRP", ["doge"] = "DOGE",
        ["ada"] = "ADA", ["avax"] = "AVAX", ["ltc"] = "LTC", ["trx"] = "TRX", ["shib"] = "SHIB", ["pepe"] = "PEPE",
        ["matic"] = "MATIC", ["bch"] = "BCH", ["aave"] = "AAVE", ["inj"] = "INJ",
    };

    private static readonly HashSet<string> NotSymbols = new(StringComparer.Ordinal)
    {
        "I", "A", "AN", "ME", "MY", "ON", "TO", "IN", "AT", "UP", "OF", "IS", "IT", "BE", "OR", "AND", "THE", "FOR", "ALL",
        "RSI", "CSV", "JSON", "USD", "USDT", "USDC", "EMA", "SMA", "MACD", "ATR", "BB", "PNL", "API", "AI", "OK", "UTC",
        "K", "M", "B", "BN", "H", "D", "TA", "PLS", "ASAP", "FYI", "OI", "LS", "FR",
    };

    [GeneratedRegex(@"\b(export|download|save)\b")]
    private static partial Regex ExportWords();

    [GeneratedRegex(@"\bback-?test(s|ed|ing)?\b|\bhow (did|does|has|would) .* (do|perform|done|performed)\b")]
    private static partial Regex BacktestWords();

    // "last 7 days", "past 3 d", "previous 14 days"; "last week", "last month", "yesterday"
    [GeneratedRegex(@"\b(?:last|past|previous)\s+(\d{1,3})\s*(?:d|days?)\b|\b(?:last|past|previous)\s+(day|week|month)\b|\b(yesterday|today)\b")]
    private static partial Regex PeriodPhrase();

    [GeneratedRegex(@"\b(add|put|track|include|watch)\b")]
    private static partial Regex AddWords();

    [GeneratedRegex(@"\b(remove|delete|drop|unwatch|take)\b")]
    private static partial Regex RemoveWords();

    [GeneratedRegex(@"\b(pause|disable|mute|stop|resume|enable|unpause|reactivate)\b[^0-9]*\balerts?\s*(?:#|id|number|no\.?)?\s*(\d+)")]
    private static partial Regex PauseAlertPhrase();

    [GeneratedRegex(@"\b(delete|remove|cancel|drop)\b[^0-9]*\balerts?\s*(?:#|id|number|no\.?)?\s*(\d+)")]
    private static partial Regex DeleteAlertPhrase();

    [GeneratedRegex(@"\b(list|show|which|what|see)\b.*\balerts\b|\bmy alerts\b")]
    private static partial Regex ListAlertsPhrase();

    [GeneratedRegex(@"\b(portfolio|holdings|positions|my watch ?list)\b")]
    private static partial Regex PortfolioWords();

    [GeneratedRegex(@"\b(alert|alarm|notify|tell me|ping me|let me know|remind|warn me)\b")]
    private static partial Regex AlertWords();

    [GeneratedRegex(@"\b(patterns?|formations?|head and shoulders|double (top|bottom)|triangles?|flags?)\b")]
    private static partial Regex PatternWords();

    [GeneratedRegex(@"\b(analy[sz]e|analysis|look at|check|how is|how's|outlook|support|resistance|trend|levels|indicators)\b")]
    private static partial Regex AnalyzeWords();

    [GeneratedRegex(@"\b(find|filter|screen|scan|search|show|list|which|what|top|coins?|symbols?|gainers?|losers?|movers?|pairs?)\b")]
    private static partial Regex ScreenWords();

    [GeneratedRegex(@"\b(funding|open interest|oi|long\s*/\s*short|l/s|liquidations?|liqs)\b")]
    private static partial Regex DerivativesWords();

    // a strict sign without a number: "negative funding", "rising open interest"
    [GeneratedRegex(@"\b(negative|positive|rising|growing|increasing|climbing|building|falling|declining|decreasing|shrinking|dropping)\b")]
    private static partial Regex SignWord();

    // "OI surge", "open interest spiking", "a jump in OI"; "OI flush", "open interest collapsing"
    [GeneratedRegex(@"\b(surg|spik|jump|soar|explod|flush|crash|collaps|plung)\w*")]
    private static partial Regex OiMoveWord();

    [GeneratedRegex(@"\b[A-Za-z0-9]{2,20}\b")]
    private static partial Regex Tokens();

    [GeneratedRegex(@"(?<![\w.])(\d+)\s*(m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)\b|\b(hourly|daily|hour|day)\b")]
    private static partial Regex WindowPhrase();

    // comparator, then a number with optional thousands separators, a K/M/B multiplier and a percent sign
    [GeneratedRegex(@"(greater than or equal to|more than|greater than|higher than|bigger than|larger than|above|over|exceeds?|exceeding|at least|>=|>|less than|lower than|smaller than|below|under|at most|<=|<|beyond)\s*(?:of\s+)?\$?\s*(-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?)\s*(k|thousand|m|mm|mln|million|b|bn|billion)?\b\s*(%|percent|pct)?")]
    private static partial Regex Comparison();

    [GeneratedRegex(@"\b(biggest|highest|largest|top|most|best|strongest|lowest|smallest|least|worst|weakest)\b")]
    private static partial Regex Superlative();

    [GeneratedRegex(@"\b(?:top|first|best|show(?: me)?|list|give me)\s+(\d{1,3})\b|\b(\d{1,3})\s+(?:coins|symbols|pairs|results)\b")]
    private static partial Regex LimitPhrase();

    [GeneratedRegex(@"\s*(?:,(?!\d{3})|;|\band\b|\bwith\b|\bwhere\b|\bwhose\b|\bthat\b|\bhaving\b|\bplus\b)\s*")]
    private static partial Regex ClauseSeparator();

    public static LocalIntent? Parse(string message)
    {
        var text = (message ?? "").Trim();
        var lower = text.ToLowerInvariant();
        if (lower.Length == 0)
        {
            return null;
        }
        if (ExportWords().IsMatch(lower))
        {
            return new LocalIntent(ToolNames.ExportResults, new() { ["format"] = lower.Contains("json", StringComparison.Ordinal) ? "json" : "csv" });
        }
        if (BacktestWords().IsMatch(lower) && ParseBacktest(lower) is { } backtest)
        {
            return backtest;
        }
        var symbol = ExtractSymbol(text);
        var watchlist = lower.Contains("watchlist", StringComparison.Ordinal) || lower.Contains("watch list", StringComparison.Ordinal);
        if (watchlist && RemoveWords().IsMatch(lower))
        {
            return Needs(ToolNames.RemoveFromWatchlist, symbol, new() { ["symbol"] = symbol });
        }
        if (DeleteAlertPhrase().Match(lower) is { Success: true } delete)
        {
            return new LocalIntent(ToolNames.DeleteAlert, new() { ["alertId"] = long.Parse(delete.Groups[2].Value, CultureInfo.InvariantCulture) });
        }
        if (PauseAlertPhrase().Match(lower) is { Success: true } pause)
        {
            var resume = pause.Groups[1].Value is "resume" or "enable" or "unpause" or "reactivate";
            return new LocalIntent(ToolNames.PauseAlert, new()
            {
                ["alertId"] = long.Parse(pause.Groups[2].Value, CultureInfo.InvariantCulture),
                ["pause"] = !resume,
            });
        }
        if (ListAlertsPhrase().IsMatch(lower))
        {
            return new LocalIntent(ToolNames.ListAlerts, symbol is null ? [] : new() { ["symbol"] = symbol });
        }
        if (watchlist && AddWords().IsMatch(lower))
        {
            return Needs(ToolNames.AddToWatchlist, symbol, new() { ["symbol"] = symbol });
        }
        if (PortfolioWords().IsMatch(lower) || lower.Contains("watchlist", StringComparison.Ordinal))
        {
            return new LocalIntent(ToolNames.GetPortfolio, []);
        }
        if (AlertWords().IsMatch(lower))
        {
            return ParseAlert(lower, symbol);
        }
        if (PatternWords().IsMatch(lower))
        {
            return Needs(ToolNames.AnalyzePattern, symbol, new() { ["symbol"] = symbol, ["timeframe"] = Timeframe(lower) ?? "1h" });
        }
        // "what's the funding on BTC" asks about one coin; "coins with funding above 0.05%" screens
        if (symbol is not null && (AnalyzeWords().IsMatch(lower) || !ScreenWords().IsMatch(lower)
            || (DerivativesWords().IsMatch(lower) && !Comparison().IsMatch(lower))))
        {
            return new LocalIntent(ToolNames.GetCoinAnalysis, new() { ["symbol"] = symbol, ["timeframe"] = Timeframe(lower) ?? "1h" });
        }
        if (ScreenWords().IsMatch(lower) || Comparison().IsMatch(lower) || DerivativesWords().IsMatch(lower))
        {
            return ParseFilter(lower);
        }
        return null;
    }

    /// <summary>
    /// "backtest futures_pioneer_bull over the last 7 days", "how did Pioneer Bull do last week?": a preset named by
    /// its key or its name, and a period of days back (default 7). Null when no preset is named and the word
    /// "backtest" is not there either (then "how did BTC do" is an analysis).
    /// </summary>
    private static LocalIntent? ParseBacktest(string lower)
    {
        var rule = BacktestPlugin.Presets.FirstOrDefault(p => PresetPattern(p).IsMatch(lower));
        var days = 7;
        if (PeriodPhrase().Match(lower) is { Success: true } period)
        {
            days = period.Groups[1].Success ? int.Parse(period.Groups[1].Value, CultureInfo.InvariantCulture)
                : (period.Groups[2].Success ? period.Groups[2].Value : period.Groups[3].Value) switch
                {
                    "week" => 7,
                    "month" => 30,
                    _ => 1,
                };
        }
        if (rule is null)
        {
            return lower.Contains("backtest", StringComparison.Ordinal) || lower.Contains("back-test", StringComparison.Ordinal)
                ? new LocalIntent(ToolNames.BacktestPreset, new() { ["days"] = days },
                    $"Which preset should I backtest? One of {string.Join(", ", BacktestPlugin.Presets)}.")
                : null;
        }
        return new LocalIntent(ToolNames.BacktestPreset, new() { ["rule"] = rule, ["days"] = Math.Clamp(days, 1, BacktestPlugin.MaxDays) });
    }

    private static readonly Dictionary<string, Regex> PresetPatterns = BacktestPlugin.Presets.ToDictionary(p => p, p => new Regex(
        @"(?<![a-z0-9])(?:futures[\s_-]*)?" + string.Join(@"[\s_-]*", p["futures_".Length..].Split('_').Select(Regex.Escape)) + @"(?![a-z0-9])",
        RegexOptions.CultureInvariant));

    private static Regex PresetPattern(string preset) => PresetPatterns[preset];

    private static LocalIntent Needs(string tool, string? symbol, Dictionary<string, object?> args) =>
        new(tool, args, symbol is null ? "Which coin do you mean? Name it, for example BTCUSDT or BTC." : null);

    /// <summary>A symbol named in the text: XXXUSDT, an upper-case ticker (BTC), or a well-known coin name.</summary>
    public static string? ExtractSymbol(string text)
    {
        foreach (Match m in Tokens().Matches(text))
        {
            var token = m.Value;
            var upper = token.ToUpperInvariant();
            if (upper.Length > 4 && (upper.EndsWith("USDT", StringComparison.Ordinal) || upper.EndsWith("USDC", StringComparison.Ordinal))
                && upper.Any(char.IsAsciiLetter))
            {
                return upper;
            }
        }
        foreach (Match m in Tokens().Matches(text))
        {
            var token = m.Value;
            if (CoinNames.TryGetValue(token, out var baseAsset))
            {
                return baseAsset + "USDT";
            }
            if (token.Length is >= 2 and <= 10 && token.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c))
                && token.Any(char.IsAsciiLetter) && !NotSymbols.Contains(token) && !char.IsAsciiDigit(token[0]))
            {
                return token + "USDT";
            }
        }
        return null;
    }

    /// <summary>The first window/timeframe named in the text (5m, 15 minutes, 1 hour, 4h, daily...), normalised.</summary>
    public static string? Timeframe(string lower)
    {
        foreach (Match m in WindowPhrase().Matches(lower))
        {
            if (Window(m) is { } w)
            {
                return w;
            }
        }
        return null;
    }

    private static string? Window(Match m)
    {
        if (m.Groups[3].Success)
        {
            return m.Groups[3].Value is "daily" or "day" ? "1d" : "1h";
        }
        var n = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        var unit = m.Groups[2].Value[0];
        var minutes = unit switch { 'm' => n, 'h' => n * 60, _ => n * 1440 };
        return minutes switch
        {
            1 => "1m", 5 => "5m", 15 => "15m", 60 => "1h", 240 => "4h", 480 => "8h", 1440 => "1d",
            _ => null,
        };
    }

    private static LocalIntent? ParseFilter(string lower)
    {
        var args = new Dictionary<string, object?>();
        var sortClauseStart = -1;
        if (Superlative().Match(lower) is { Success: true } sup)
        {
            sortClauseStart = sup.Index;
        }
        foreach (var clause in Clauses(lower))
        {
            var comparisons = Comparison().Matches(clause.Text);
            foreach (Match c in comparisons)
            {
                var rest = clause.Text.Remove(c.Index, c.Length);
                var percent = c.Groups[4].Success;
                var metric = Metric(rest, percent);
                if (metric is null)
                {
                    return new LocalIntent(ToolNames.FilterCoins, args,
                        $"I do not know which metric \"{clause.Text.Trim()}\" means. I can filter on volume, change, price and RSI, " +
                        "each with a window (5m, 15m, 1h, 4h, 8h, 1d), e.g. \"1h volume over 1M\", and on funding, open interest " +
                        "(its value or its 1h/4h/1d change), the long/short ratio and long or short liquidations (5m/1h/1d).");
                }
                var value = Number(c.Groups[2].Value, c.Groups[3].Value);
                if (metric == "FundingRate" && percent)
                {
                    value = (double)((decimal)value / 100m);
                }
                var isMin = !IsMax(c.Groups[1].Value);
                if (metric == "Change" && Regex.IsMatch(rest, @"\b(down|drop|dropped|dump|dumped|fall|fell|lost|lose|losing)\b") && value > 0)
                {
                    (value, isMin) = (-value, !isMin);
                }
                if (value == 0 && IsStrict(c.Groups[1].Value))
                {
                    // "above 0" leaves 0 out; the screener's bounds are inclusive
                    value = isMin ? ScreenerPlugin.JustAboveZero : -ScreenerPlugin.JustAboveZero;
                }
                if (FieldOf(metric, Timeframe(rest), out var field) is { } problem)
                {
                    return new LocalIntent(ToolNames.FilterCoins, args, problem);
                }
                args[Bound(isMin, field)] = value;
            }
            if (comparisons.Count == 0 && SignWord().Match(clause.Text) is { Success: true } sign
                && Metric(clause.Text, percent: false) is ("FundingRate" or "OiChange") and var signed)
            {
                if (FieldOf(signed, Timeframe(clause.Text), out var field) is { } problem)
                {
                    return new LocalIntent(ToolNames.FilterCoins, args, problem);
                }
                var below = sign.Value is "negative" or "falling" or "declining" or "decreasing" or "shrinking" or "dropping";
                args[Bound(!below, field)] = below ? -ScreenerPlugin.JustAboveZero : ScreenerPlugin.JustAboveZero;
            }
            if (sortClauseStart >= clause.Start && sortClauseStart < clause.Start + clause.Text.Length && comparisons.Count == 0)
            {
                var supWord = Superlative().Match(clause.Text).Value;
                var metric = Metric(clause.Text, percent: false) ?? (lower.Contains("gainer", StringComparison.Ordinal)
                    || lower.Contains("loser", StringComparison.Ordinal) ? "Change" : "QuoteVolume");
                if (FieldOf(metric, Timeframe(clause.Text) ?? Timeframe(lower), out var field) is { } problem)
                {
                    return new LocalIntent(ToolNames.FilterCoins, args, problem);
                }
                args["sortBy"] = field;
                // "most negative funding" is the lowest
                var lowest = supWord is "lowest" or "smallest" or "least" or "worst" or "weakest"
                    || (supWord is "most" or "biggest" or "largest" or "highest" or "top" && Regex.IsMatch(clause.Text, @"\bnegative\b"));
                args["sortOrder"] = lowest ^ Regex.IsMatch(clause.Text, @"\blosers?\b") ? "asc" : "desc";
            }
        }
        if (!args.ContainsKey("sortBy") && Regex.IsMatch(lower, @"\b(oi|open interest)\b") && OiMoveWord().Match(lower) is { Success: true } move)
        {
            // "OI surge": the biggest rises of open interest first, only rising ones; "OI flush" the other way
            if (FieldOf("OiChange", Timeframe(lower), out var field) is { } problem)
            {
                return new LocalIntent(ToolNames.FilterCoins, args, problem);
            }
            var down = move.Groups[1].Value is "flush" or "crash" or "collaps" or "plung";
            args["sortBy"] = field;
            args["sortOrder"] = down ? "asc" : "desc";
            args.TryAdd(Bound(!down, field), down ? -ScreenerPlugin.JustAboveZero : ScreenerPlugin.JustAboveZero);
        }
        if (!args.ContainsKey("sortBy") && Regex.IsMatch(lower, @"\b(gainers?|losers?|pumping|dumping|movers?)\b"))
        {
            var window = Timeframe(lower) ?? "1h";
            args["sortBy"] = "change_" + window;
            args["sortOrder"] = Regex.IsMatch(lower, @"\b(losers?|dumping)\b") ? "asc" : "desc";
        }
        if (LimitPhrase().Match(lower) is { Success: true } lim)
        {
            var n = int.Parse(lim.Groups[1].Success ? lim.Groups[1].Value : lim.Groups[2].Value, CultureInfo.InvariantCulture);
            if (n is >= 1 and <= 100)
            {
                args["limit"] = n;
            }
        }
        if (args.Count == 0 && !Regex.IsMatch(lower, @"\b(coins?|symbols?|pairs?|gainers?|losers?|movers?|screen|scan|screener|market)\b"))
        {
            return null;
        }
        return new LocalIntent(ToolNames.FilterCoins, args);
    }

    private static LocalIntent ParseAlert(string lower, string? symbol)
    {
        var args = new Dictionary<string, object?> { ["symbol"] = symbol };
        var c = Comparison().Match(lower);
        var crosses = Regex.IsMatch(lower, @"\bcross(es|ed|ing)?\b");
        var above = c.Success ? !IsMax(c.Groups[1].Value) : !Regex.IsMatch(lower, @"\b(drops?|falls?|dips?|down)\b");
        double? value = c.Success ? Number(c.Groups[2].Value, c.Groups[3].Value) : NumberAfterVerb(lower);
        string type;
        if (lower.Contains("macd", StringComparison.Ordinal))
        {
            type = "macd_cross";
            value = null;
        }
        else if (Regex.IsMatch(lower, @"\b(bollinger|bb)\b"))
        {
            type = "bb_breakout";
            value = null;
        }
        else if (lower.Contains("rsi", StringComparison.Ordinal))
        {
            type = crosses ? "rsi_cross" : above ? "rsi_above" : "rsi_below";
        }
        else if (Regex.IsMatch(lower, @"\b(volume|vol|turnover)\b"))
        {
            type = "volume_above";
            args["window"] = Timeframe(Strip(lower, c)) ?? "1h";
        }
        else if (Regex.IsMatch(lower, @"\b(change|changes|moves?|pumps?|dumps?|gains?|%|percent)\b") || (c.Success && c.Groups[4].Success))
        {
            var down = Regex.IsMatch(lower, @"\b(down|drops?|dumps?|falls?|loses?)\b");
            type = down || !above ? "change_below" : "change_above";
            if (down && value > 0)
            {
                value = -value;
            }
            args["window"] = Timeframe(Strip(lower, c)) ?? "1h";
        }
        else
        {
            type = crosses && !c.Success ? "price_cross" : above ? "price_above" : "price_below";
        }
        args["condition"] = type;
        if (value is not null)
        {
            args["value"] = value;
        }
        args["recurring"] = Regex.IsMatch(lower, @"\b(every time|each time|whenever|recurring|repeat(edly)?|always)\b");
        var problem = symbol is null ? "I can create that alert, but which coin do you mean? Name it, for example ETHUSDT or ETH."
            : value is null && type is not ("macd_cross" or "bb_breakout") ? "I can create that alert, but at what level? For example: alert me when ETHUSDT goes above 4000."
            : null;
        return new LocalIntent(ToolNames.CreateAlert, args, problem);
    }

    private static double? NumberAfterVerb(string lower)
    {
        var m = Regex.Match(lower, @"\b(?:hits?|reaches|reach|touches|crosses|at)\s+\$?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(k|m|b)?\b");
        return m.Success ? Number(m.Groups[1].Value, m.Groups[2].Value) : null;
    }

    private static string Strip(string text, Match m) => m.Success ? text.Remove(m.Index, m.Length) : text;

    private static IEnumerable<(int Start, string Text)> Clauses(string lower)
    {
        var start = 0;
        foreach (Match sep in ClauseSeparator().Matches(lower))
        {
            if (sep.Index > start)
            {
                yield return (start, lower[start..sep.Index]);
            }
            start = sep.Index + sep.Length;
        }
        if (start < lower.Length)
        {
            yield return (start, lower[start..]);
        }
    }

    private static string? Metric(string clause, bool percent)
    {
        // the derivatives first: "rising open interest" and "funding above 0.05%" are not price changes
        if (Regex.IsMatch(clause, @"\bfunding\b"))
        {
            return "FundingRate";
        }
        if (Regex.IsMatch(clause, @"\b(long\s*/\s*short|long[\s-]short|l/s)\b"))
        {
            return Regex.IsMatch(clause, @"\btop[\s-]traders?\b") ? "TopTraderLongShortRatio" : "LongShortRatio";
        }
        if (Regex.IsMatch(clause, @"\b(liquidations?|liqs?|liquidated)\b"))
        {
            return Regex.IsMatch(clause, @"\bshorts?\b") ? "LiquidationsShort" : Regex.IsMatch(clause, @"\blongs?\b") ? "LiquidationsLong" : "Liquidations";
        }
        if (Regex.IsMatch(clause, @"\b(open interest|oi)\b"))
        {
            return percent || Regex.IsMatch(clause, @"\b(change|changed|up|down|rise|rising|rose|grow|growing|grew|increas\w*|climb\w*|building|fall|falling|fell|declin\w*|decreas\w*|shrink\w*|drop\w*)\b")
                ? "OiChange" : "OpenInterestValue";
        }
        if (Regex.IsMatch(clause, @"\brsi\b"))
        {
            return "Rsi";
        }
        if (Regex.IsMatch(clause, @"\b(volume|vol|turnover|traded)\b"))
        {
            return "QuoteVolume";
        }
        if (Regex.IsMatch(clause, @"\b(change|changed|gain|gained|gainers?|move|moved|up|down|pump|pumped|dump|dropped|drop|rise|rose|fell|losers?)\b") || percent)
        {
            return "Change";
        }
        if (Regex.IsMatch(clause, @"\b(price|priced|trading at|costs?|worth)\b"))
        {
            return "Price";
        }
        return null;
    }

    /// <summary>The windows of a windowed metric (null: a metric without one), the first the default.</summary>
    private static string[]? WindowsOf(string metric) => metric switch
    {
        "Change" or "QuoteVolume" => ["1d", "5m", "15m", "1h", "4h", "8h"],
        "Rsi" => ["1h", "15m", "4h"],
        "OiChange" => ["1h", "4h", "1d"],
        "LiquidationsLong" or "LiquidationsShort" => ["1h", "5m", "1d"],
        _ => null,
    };

    /// <summary>The screener field of a metric in a window (its default when none is named), or a question when the
    /// window does not exist for it or the metric needs more (which side of the liquidations).</summary>
    private static string? FieldOf(string metric, string? window, out string field)
    {
        field = "";
        if (metric == "Liquidations")
        {
            return "Long or short liquidations? Say for example \"coins with 1h long liquidations above 1M\" (USDT).";
        }
        var windows = WindowsOf(metric);
        if (windows is not null && window is not null && !windows.Contains(window))
        {
            return $"{Spoken(metric)} has the windows {string.Join(", ", windows.Order(WindowOrder))}, not {window}.";
        }
        var w = windows is null ? null : window ?? windows[0];
        field = metric switch
        {
            "Price" => "price",
            "Rsi" => "rsi14_" + w,
            _ => char.ToLowerInvariant(metric[0]) + metric[1..] + (w is null ? "" : "_" + w),
        };
        return null;
    }

    private static readonly Comparer<string> WindowOrder = Comparer<string>.Create((a, b) =>
        Array.IndexOf(ToolArguments.Windows, a).CompareTo(Array.IndexOf(ToolArguments.Windows, b)));

    private static string Spoken(string metric) => metric switch
    {
        "Rsi" => "RSI",
        "Change" => "The price change",
        "OiChange" => "The open-interest change",
        "LiquidationsLong" or "LiquidationsShort" => "Liquidations",
        "QuoteVolume" => "Volume",
        _ => metric,
    };

    private static string Bound(bool isMin, string field) => (isMin ? "min" : "max") + char.ToUpperInvariant(field[0]) + field[1..];

    private static bool IsStrict(string comparator) => comparator is not ("greater than or equal to" or "at least" or ">=" or "at most" or "<=");

    private static bool IsMax(string comparator) => comparator is "less than" or "lower than" or "smaller than" or "below"
        or "under" or "at most" or "<=" or "<";

    public static double Number(string digits, string multiplier)
    {
        var v = double.Parse(digits.Replace(",", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture);
        return multiplier switch
        {
            "k" or "thousand" => v * 1_000,
            "m" or "mm" or "mln" or "million" => v * 1_000_000,
            "b" or "bn" or "billion" => v * 1_000_000_000,
            _ => v,
        };
    }
}
