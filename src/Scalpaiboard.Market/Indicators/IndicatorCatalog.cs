using System.Globalization;

namespace Scalpaiboard.Market.Indicators;

/// <summary>One output field of an indicator over a whole series; null = warm-up.</summary>
public sealed record IndicatorColumn(string Field, double?[] Values, bool IsBoolean = false);

/// <summary>
/// An indicator as the CLI (and any batch consumer) names it: key, fields in output order, tunable parameters
/// with their defaults, and whether it is part of the default set.
/// </summary>
public sealed record IndicatorSpec(
    string Key,
    IReadOnlyList<string> Fields,
    IReadOnlyDictionary<string, double> Defaults,
    bool InDefaultSet,
    Func<IReadOnlyList<Quote>, IndicatorSettings, IReadOnlyList<IndicatorColumn>> Compute);

/// <summary>Parameter overrides (<c>key.name = value</c>) and the pivot options.</summary>
public sealed class IndicatorSettings
{
    private readonly Dictionary<string, double> _overrides = new(StringComparer.OrdinalIgnoreCase);

    public PivotPointType PivotType { get; set; } = PivotPointType.Standard;

    public PivotWindow PivotWindow { get; set; } = PivotWindow.Month;

    public void Set(string key, string name, double value) => _overrides[$"{key}.{name}"] = value;

    internal double Get(IndicatorSpec spec, string name) =>
        _overrides.TryGetValue($"{spec.Key}.{name}", out var value) ? value : spec.Defaults[name];

    internal int Int(IndicatorSpec spec, string name)
    {
        var value = Get(spec, name);
        return value == Math.Floor(value) && value is >= 1 and <= 100_000
            ? (int)value
            : throw new ArgumentOutOfRangeException(name, value, $"{spec.Key}.{name} must be a whole number >= 1");
    }
}

/// <summary>
/// Every indicator of <c>scalp indicators</c>, computed bar by bar through the streaming classes (the same code path
/// the live engine uses). Keys, fields and defaults follow issue 3; <c>vwap_rolling</c> and <c>vcp</c> are extras
/// that are only written when asked for with <c>--only</c>.
/// </summary>
public static class IndicatorCatalog
{
    public static IReadOnlyList<IndicatorSpec> All { get; } = Build();

    public static IndicatorSpec? Find(string key)
    {
        foreach (var spec in All)
        {
            if (string.Equals(spec.Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return spec;
            }
        }

        return null;
    }

    private static T[] Stream<T>(IReadOnlyList<Quote> quotes, Func<Quote, T> add)
    {
        var results = new T[quotes.Count];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = add(quotes[i]);
        }

        return results;
    }

    private static IndicatorColumn Col<T>(string field, T[] results, Func<T, double?> pick)
    {
        var values = new double?[results.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = pick(results[i]);
        }

        return new IndicatorColumn(field, values);
    }

    private static Dictionary<string, double> D(params (string Name, double Value)[] values)
    {
        var d = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in values)
        {
            d[name] = value;
        }

        return d;
    }

    private static IndicatorSpec[] Build()
    {
        var specs = new List<IndicatorSpec>();

        void Add(string key, string[] fields, Dictionary<string, double> defaults, Func<IReadOnlyList<Quote>, IndicatorSettings, IndicatorSpec, IReadOnlyList<IndicatorColumn>> compute, bool inDefaultSet = true)
        {
            IndicatorSpec? self = null;
            self = new IndicatorSpec(key, fields, defaults, inDefaultSet, (q, s) => compute(q, s, self!));
            specs.Add(self);
        }

        Add("sma", ["sma"], D(("period", 20)), (q, s, me) =>
        {
            var x = new Sma(s.Int(me, "period"));
            return [Col("sma", Stream(q, b => x.Add(b)), r => r.Sma)];
        });
        Add("ema", ["ema"], D(("period", 20)), (q, s, me) =>
        {
            var x = new Ema(s.Int(me, "period"));
            return [Col("ema", Stream(q, b => x.Add(b)), r => r.Ema)];
        });
        Add("rsi", ["rsi"], D(("period", 14)), (q, s, me) =>
        {
            var x = new Rsi(s.Int(me, "period"));
            return [Col("rsi", Stream(q, b => x.Add(b)), r => r.Rsi)];
        });
        Add("macd", ["macd", "signal", "histogram", "fastEma", "slowEma"], D(("fast", 12), ("slow", 26), ("signal", 9)), (q, s, me) =>
        {
            var x = new Macd(s.Int(me, "fast"), s.Int(me, "slow"), s.Int(me, "signal"));
            var r = Stream(q, b => x.Add(b));
            return [Col("macd", r, v => v.Macd), Col("signal", r, v => v.Signal), Col("histogram", r, v => v.Histogram), Col("fastEma", r, v => v.FastEma), Col("slowEma", r, v => v.SlowEma)];
        });
        Add("bollinger_bands", ["sma", "upperBand", "lowerBand", "percentB", "zScore", "width"], D(("period", 20), ("stddev", 2)), (q, s, me) =>
        {
            var x = new BollingerBands(s.Int(me, "period"), s.Get(me, "stddev"));
            var r = Stream(q, b => x.Add(b));
            return [Col("sma", r, v => v.Sma), Col("upperBand", r, v => v.UpperBand), Col("lowerBand", r, v => v.LowerBand), Col("percentB", r, v => v.PercentB), Col("zScore", r, v => v.ZScore), Col("width", r, v => v.Width)];
        });
        Add("atr", ["tr", "atr", "atrp"], D(("period", 14)), (q, s, me) =>
        {
            var x = new Atr(s.Int(me, "period"));
            var r = Stream(q, b => x.Add(b));
            return [Col("tr", r, v => v.Tr), Col("atr", r, v => v.Atr), Col("atrp", r, v => v.Atrp)];
        });
        Add("stoch", ["oscillator", "signal", "percentJ"], D(("lookback", 14), ("signal", 3), ("smooth", 3)), (q, s, me) =>
        {
            var x = new Stoch(s.Int(me, "lookback"), s.Int(me, "signal"), s.Int(me, "smooth"));
            var r = Stream(q, b => x.Add(b));
            return [Col("oscillator", r, v => v.Oscillator), Col("signal", r, v => v.Signal), Col("percentJ", r, v => v.PercentJ)];
        });
        Add("adx", ["pdi", "mdi", "dx", "adx", "adxr"], D(("period", 14)), (q, s, me) =>
        {
            var x = new Adx(s.Int(me, "period"));
            var r = Stream(q, b => x.Add(b));
            return [Col("pdi", r, v => v.Pdi), Col("mdi", r, v => v.Mdi), Col("dx", r, v => v.Dx), Col("adx", r, v => v.Adx), Col("adxr", r, v => v.Adxr)];
        });
        Add("cci", ["cci"], D(("period", 20)), (q, s, me) =>
        {
            var x = new Cci(s.Int(me, "period"));
            return [Col("cci", Stream(q, b => x.Add(b)), r => r.Cci)];
        });
        Add("williams_r", ["williamsR"], D(("period", 14)), (q, s, me) =>
        {
            var x = new WilliamsR(s.Int(me, "period"));
            return [Col("williamsR", Stream(q, b => x.Add(b)), r => r.WilliamsR)];
        });
        Add("roc", ["momentum", "roc"], D(("period", 20)), (q, s, me) =>
        {
            var x = new Roc(s.Int(me, "period"));
            var r = Stream(q, b => x.Add(b));
            return [Col("momentum", r, v => v.Momentum), Col("roc", r, v => v.Roc)];
        });
        Add("donchian", ["upperBand", "centerline", "lowerBand", "width"], D(("period", 20)), (q, s, me) =>
        {
            var x = new Donchian(s.Int(me, "period"));
            var r = Stream(q, b => x.Add(b));
            return [Col("upperBand", r, v => v.UpperBand), Col("centerline", r, v => v.Centerline), Col("lowerBand", r, v => v.LowerBand), Col("width", r, v => v.Width)];
        });
        Add("keltner", ["upperBand", "centerline", "lowerBand", "width"], D(("ema", 20), ("multiplier", 2), ("atr", 10)), (q, s, me) =>
        {
            var x = new Keltner(s.Int(me, "ema"), s.Get(me, "multiplier"), s.Int(me, "atr"));
            var r = Stream(q, b => x.Add(b));
            return [Col("upperBand", r, v => v.UpperBand), Col("centerline", r, v => v.Centerline), Col("lowerBand", r, v => v.LowerBand), Col("width", r, v => v.Width)];
        });
        Add("supertrend", ["superTrend", "upperBand", "lowerBand"], D(("period", 14), ("multiplier", 3)), (q, s, me) =>
        {
            var x = new SuperTrend(s.Int(me, "period"), s.Get(me, "multiplier"));
            var r = Stream(q, b => x.Add(b));
            return [Col("superTrend", r, v => v.SuperTrend), Col("upperBand", r, v => v.UpperBand), Col("lowerBand", r, v => v.LowerBand)];
        });
        Add("parabolic_sar", ["sar", "isReversal"], D(("step", 0.02), ("max", 0.2)), (q, s, me) =>
        {
            var x = new ParabolicSar(s.Get(me, "step"), s.Get(me, "max"));
            var r = Stream(q, b => x.Add(b));
            var reversal = Col("isReversal", r, v => v.IsReversal is { } b ? (b ? 1 : 0) : null);
            return [Col("sar", r, v => v.Sar), reversal with { IsBoolean = true }];
        });
        Add("obv", ["obv"], D(), (q, _, _) =>
        {
            var x = new Obv();
            return [Col("obv", Stream(q, b => x.Add(b)), r => r.Obv)];
        });
        Add("vwap", ["vwap"], D(), (q, _, _) =>
        {
            var x = new Vwap();
            return [Col("vwap", Stream(q, b => x.Add(b)), r => r.Vwap)];
        });
        Add("pivot_points", ["pp", "r1", "r2", "r3", "r4", "s1", "s2", "s3", "s4"], D(), (q, s, _) =>
        {
            var x = new PivotPoints(s.PivotWindow, s.PivotType);
            var r = Stream(q, b => x.Add(b));
            return [Col("pp", r, v => v.PP), Col("r1", r, v => v.R1), Col("r2", r, v => v.R2), Col("r3", r, v => v.R3), Col("r4", r, v => v.R4), Col("s1", r, v => v.S1), Col("s2", r, v => v.S2), Col("s3", r, v => v.S3), Col("s4", r, v => v.S4)];
        });
        Add("vwap_rolling", ["vwap"], D(("period", 20)), (q, s, me) =>
        {
            var x = new RollingVwap(s.Int(me, "period"));
            return [Col("vwap", Stream(q, b => x.Add(b)), r => r.Vwap)];
        }, inDefaultSet: false);
        Add("vcp", ["vcp"], D(("period", 20)), (q, s, me) =>
        {
            var x = new Vcp(s.Int(me, "period"));
            return [Col("vcp", Stream(q, b => x.Add(b)), r => r.Vcp)];
        }, inDefaultSet: false);
        return [.. specs];
    }

    /// <summary>A cell as the CLI writes it: empty during warm-up, round-trip invariant number, or true/false.</summary>
    public static string Format(double? value, bool isBoolean) =>
        value is not { } v ? string.Empty
        : isBoolean ? (v != 0 ? "true" : "false")
        : v.ToString("R", CultureInfo.InvariantCulture);
}
