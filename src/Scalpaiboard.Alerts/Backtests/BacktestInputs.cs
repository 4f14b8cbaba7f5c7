using System.Text.Json;
using Scalpaiboard.Alerts.Services;
using Scalpaiboard.Market.Backtests;
using Scalpaiboard.Market.Signals;

namespace Scalpaiboard.Alerts.Backtests;

/// <summary>
/// The inputs of a backtest as the API takes and echoes them (BACKTEST.md's names, defaults filled in):
/// <see cref="Symbols"/> null means all symbols Ingest stored.
/// </summary>
public sealed record BacktestInputs(
    string Rule,
    IReadOnlyList<string>? Symbols,
    long? From,
    long? To,
    double TakeProfitPct,
    double StopLossPct,
    int MaxHoldMinutes,
    double FeePct,
    int CooldownMinutes)
{
    public const int MaxSymbols = 1000;

    /// <summary>The engine's parameters (valid: <see cref="Parse"/> checked them).</summary>
    public BacktestParameters ToParameters()
    {
        PresetTypes.TryParse(Rule, out var rule);
        return new BacktestParameters
        {
            Rule = rule,
            TakeProfitPct = TakeProfitPct,
            StopLossPct = StopLossPct,
            MaxHoldMinutes = MaxHoldMinutes,
            FeePct = FeePct,
            CooldownMinutes = CooldownMinutes,
            From = From,
            To = To,
        };
    }

    /// <summary>The wire shape: <c>symbols</c> is <c>"all"</c> or the list.</summary>
    public object ToJson() => new
    {
        rule = Rule,
        symbols = Symbols is null ? (object)"all" : Symbols,
        from = From,
        to = To,
        takeProfitPct = TakeProfitPct,
        stopLossPct = StopLossPct,
        maxHoldMinutes = MaxHoldMinutes,
        feePct = FeePct,
        cooldownMinutes = CooldownMinutes,
    };

    /// <summary>
    /// Reads a POST body; errors are keyed by the JSON field name. Unknown fields are refused, so a misspelt
    /// exit is not silently replaced by its default.
    /// </summary>
    public static BacktestInputs? Parse(JsonElement? body, out Dictionary<string, string[]> errors)
    {
        errors = [];
        if (body is not { ValueKind: JsonValueKind.Object } root)
        {
            errors["body"] = ["must be a JSON object with at least \"rule\""];
            return null;
        }
        var e = errors;
        void Error(string field, string message) => e[field] = [message];

        string? rule = null;
        IReadOnlyList<string>? symbols = null;
        long? from = null, to = null;
        double tp = 2.0, sl = 1.0, fee = 0.04;
        int hold = 240, cooldown = 5;
        foreach (var p in root.EnumerateObject())
        {
            var v = p.Value;
            switch (p.Name)
            {
                case "rule":
                    if (v.ValueKind == JsonValueKind.String && PresetTypes.TryParse(v.GetString(), out var type))
                    {
                        rule = type.Key();
                    }
                    else
                    {
                        Error("rule", $"must be one of {string.Join(", ", PresetTypes.Keys)}");
                    }
                    break;
                case "symbols":
                    symbols = ParseSymbols(v, Error);
                    break;
                case "from":
                    from = Time(v, "from", Error);
                    break;
                case "to":
                    to = Time(v, "to", Error);
                    break;
                case "takeProfitPct":
                    tp = Number(v, "takeProfitPct", tp, Error);
                    break;
                case "stopLossPct":
                    sl = Number(v, "stopLossPct", sl, Error);
                    break;
                case "feePct":
                    fee = Number(v, "feePct", fee, Error);
                    break;
                case "maxHoldMinutes":
                    hold = Integer(v, "maxHoldMinutes", hold, Error);
                    break;
                case "cooldownMinutes":
                    cooldown = Integer(v, "cooldownMinutes", cooldown, Error);
                    break;
                default:
                    Error(p.Name, "is not an input of a backtest (rule, symbols, from, to, takeProfitPct, stopLossPct, maxHoldMinutes, feePct, cooldownMinutes)");
                    break;
            }
        }
        if (rule is null && !errors.ContainsKey("rule"))
        {
            Error("rule", $"is required: one of {string.Join(", ", PresetTypes.Keys)}");
        }
        if (errors.Count > 0 || rule is null)
        {
            return null;
        }
        var inputs = new BacktestInputs(rule, symbols, from, to, tp, sl, hold, fee, cooldown);
        foreach (var (name, message) in inputs.ToParameters().Validate())
        {
            Error(char.ToLowerInvariant(name[0]) + name[1..], message);
        }
        if (hold > 525_600)
        {
            Error("maxHoldMinutes", "must be at most 525600 (a year)");
        }
        if (cooldown > 10_080)
        {
            Error("cooldownMinutes", "must be at most 10080 (a week)");
        }
        return errors.Count > 0 ? null : inputs;
    }

    private static IReadOnlyList<string>? ParseSymbols(JsonElement v, Action<string, string> error)
    {
        if (v.ValueKind == JsonValueKind.Null || (v.ValueKind == JsonValueKind.String && string.Equals(v.GetString(), "all", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }
        if (v.ValueKind != JsonValueKind.Array)
        {
            error("symbols", "must be \"all\" or a list of symbols");
            return null;
        }
        var list = new List<string>();
        foreach (var s in v.EnumerateArray())
        {
            var symbol = SymbolDirectory.Normalize(s.ValueKind == JsonValueKind.String ? s.GetString() : null);
            if (!SymbolDirectory.IsWellFormed(symbol))
            {
                error("symbols", $"'{(s.ValueKind == JsonValueKind.String ? s.GetString() : s.GetRawText())}' is not a symbol (2-30 letters or digits, e.g. BTCUSDT)");
                return null;
            }
            if (!list.Contains(symbol))
            {
                list.Add(symbol);
            }
        }
        if (list.Count == 0 || list.Count > MaxSymbols)
        {
            error("symbols", $"a list holds 1 to {MaxSymbols} symbols (or use \"all\")");
            return null;
        }
        return list;
    }

    private static long? Time(JsonElement v, string field, Action<string, string> error)
    {
        if (v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var ms) && ms >= 0 && ms <= 253_402_300_799_999)
        {
            return ms;
        }
        error(field, "must be a UTC time in Unix milliseconds");
        return null;
    }

    private static double Number(JsonElement v, string field, double fallback, Action<string, string> error)
    {
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d))
        {
            return d;
        }
        error(field, "must be a number");
        return fallback;
    }

    private static int Integer(JsonElement v, string field, int fallback, Action<string, string> error)
    {
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i))
        {
            return i;
        }
        error(field, "must be a whole number of minutes");
        return fallback;
    }
}
