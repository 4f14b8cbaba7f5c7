using System.Reflection;
using FsCheck;
using FsCheck.Fluent;
using Scalpaiboard.Market.Indicators;

namespace Scalpaiboard.Market.Tests.Indicators;

/// <summary>
/// Property: on random series, each streaming indicator (bar by bar, O(1) updates) gives the batch form's values
/// and nulls, and Peek(bar) gives exactly what Add(bar) then returns.
/// </summary>
public sealed class StreamingMatchesBatchTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(30);

    public static TheoryData<string> Indicators => new()
    {
        "sma", "ema", "rsi", "macd", "bollinger", "atr", "stoch", "stoch_fast", "adx", "cci", "williams_r", "roc",
        "donchian", "keltner", "supertrend", "parabolic_sar", "obv", "vwap", "vwap_rolling", "vcp",
        "pivot_standard_month", "pivot_camarilla_week", "pivot_demark_day", "pivot_woodie_hour", "pivot_fibonacci_day",
    };

    [Theory]
    [MemberData(nameof(Indicators))]
    public void Streaming_equals_batch_on_random_series(string indicator)
    {
        var series = Gen.Choose(0, int.MaxValue - 1).SelectMany(seed => Gen.Choose(1, 400).Select(length => (seed, length)));
        Prop.ForAll(series.ToArbitrary(), s =>
        {
            var quotes = RandomSeries(s.seed, s.length);
            Check(indicator, quotes);
        }).Check(Runs);
    }

    private static void Check(string indicator, Quote[] q)
    {
        switch (indicator)
        {
            case "sma": Same(q, Sma.Calculate(q, 7), new Sma(7)); break;
            case "ema": Same(q, Ema.Calculate(q, 9), new Ema(9)); break;
            case "rsi": Same(q, Rsi.Calculate(q, 14), new Rsi(14)); break;
            case "macd": Same(q, Macd.Calculate(q, 12, 26, 9), new Macd(12, 26, 9)); break;
            case "bollinger": Same(q, BollingerBands.Calculate(q, 20, 2), new BollingerBands(20, 2)); break;
            case "atr": Same(q, Atr.Calculate(q, 14), new Atr(14)); break;
            case "stoch": Same(q, Stoch.Calculate(q, 14, 3, 3), new Stoch(14, 3, 3)); break;
            case "stoch_fast": Same(q, Stoch.Calculate(q, 5, 10, 1), new Stoch(5, 10, 1)); break;
            case "adx": Same(q, Adx.Calculate(q, 14), new Adx(14)); break;
            case "cci": Same(q, Cci.Calculate(q, 20), new Cci(20)); break;
            case "williams_r": Same(q, WilliamsR.Calculate(q, 14), new WilliamsR(14)); break;
            case "roc": Same(q, Roc.Calculate(q, 20), new Roc(20)); break;
            case "donchian": Same(q, Donchian.Calculate(q, 20), new Donchian(20)); break;
            case "keltner": Same(q, Keltner.Calculate(q, 20, 2, 10), new Keltner(20, 2, 10)); break;
            case "supertrend": Same(q, SuperTrend.Calculate(q, 14, 3), new SuperTrend(14, 3)); break;
            case "parabolic_sar": Same(q, ParabolicSar.Calculate(q, 0.02, 0.2), new ParabolicSar(0.02, 0.2)); break;
            case "obv": Same(q, Obv.Calculate(q), new Obv()); break;
            case "vwap": Same(q, Vwap.Calculate(q), new Vwap()); break;
            case "vwap_rolling": Same(q, RollingVwap.Calculate(q, 20), new RollingVwap(20)); break;
            case "vcp": Same(q, Vcp.Calculate(q, 20), new Vcp(20)); break;
            case "pivot_standard_month": Same(q, PivotPoints.Calculate(q, PivotWindow.Month, PivotPointType.Standard), new PivotPoints(PivotWindow.Month, PivotPointType.Standard)); break;
            case "pivot_camarilla_week": Same(q, PivotPoints.Calculate(q, PivotWindow.Week, PivotPointType.Camarilla), new PivotPoints(PivotWindow.Week, PivotPointType.Camarilla)); break;
            case "pivot_demark_day": Same(q, PivotPoints.Calculate(q, PivotWindow.Day, PivotPointType.Demark), new PivotPoints(PivotWindow.Day, PivotPointType.Demark)); break;
            case "pivot_woodie_hour": Same(q, PivotPoints.Calculate(q, PivotWindow.Hour, PivotPointType.Woodie), new PivotPoints(PivotWindow.Hour, PivotPointType.Woodie)); break;
            case "pivot_fibonacci_day": Same(q, PivotPoints.Calculate(q, PivotWindow.Day, PivotPointType.Fibonacci), new PivotPoints(PivotWindow.Day, PivotPointType.Fibonacci)); break;
            default: throw new ArgumentOutOfRangeException(nameof(indicator), indicator, null);
        }
    }

    /// <summary>A random walk with flat bars, unchanged closes, zero volumes and irregular time steps.</summary>
    internal static Quote[] RandomSeries(int seed, int length)
    {
        var random = new Random(seed);
        var quotes = new Quote[length];
        var price = 10 + (random.NextDouble() * 1000);
        var time = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(random.Next(0, 500_000));
        for (var i = 0; i < length; i++)
        {
            var open = price;
            var close = random.Next(10) == 0 ? open : open * (1 + ((random.NextDouble() - 0.5) * 0.04));
            var flat = random.Next(25) == 0;
            var high = flat ? Math.Max(open, close) : Math.Max(open, close) * (1 + (random.NextDouble() * 0.01));
            var low = flat ? Math.Min(open, close) : Math.Min(open, close) * (1 - (random.NextDouble() * 0.01));
            var volume = random.Next(20) == 0 ? 0 : random.NextDouble() * 1e6;
            quotes[i] = new Quote(time, open, high, low, close, volume);
            price = close;
            time = time.AddMinutes(random.Next(3) switch { 0 => 1, 1 => 60 * random.Next(1, 30), _ => 60 * 24 * random.Next(1, 9) });
        }

        return quotes;
    }

    private static void Same<T>(Quote[] quotes, T[] batch, object streaming)
        where T : struct
    {
        var type = streaming.GetType();
        var add = type.GetMethod("Add")!;
        var peek = type.GetMethod("Peek")!;
        for (var i = 0; i < quotes.Length; i++)
        {
            var args = new object[] { quotes[i] };
            var peeked = (T)peek.Invoke(streaming, args)!;
            var added = (T)add.Invoke(streaming, args)!;
            Equal(added, peeked, $"{type.Name} Peek vs Add at bar {i}", exact: true);
            Equal(batch[i], added, $"{type.Name} batch vs streaming at bar {i} of {quotes.Length}", exact: false);
        }
    }

    private static void Equal<T>(T expected, T actual, string where, bool exact)
        where T : struct
    {
        foreach (var p in Fields<T>.Properties)
        {
            var e = p.GetValue(expected);
            var a = p.GetValue(actual);
            if (e is double de && a is double da)
            {
                var tolerance = exact ? 0 : 1e-7 * Math.Max(1, Math.Abs(de));
                Assert.True(Math.Abs(de - da) <= tolerance, $"{where}: {p.Name} expected {de:R}, got {da:R}");
            }
            else
            {
                Assert.True(Equals(e, a), $"{where}: {p.Name} expected {e ?? "null"}, got {a ?? "null"}");
            }
        }
    }

    private static class Fields<T>
    {
        public static readonly PropertyInfo[] Properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance);
    }
}
