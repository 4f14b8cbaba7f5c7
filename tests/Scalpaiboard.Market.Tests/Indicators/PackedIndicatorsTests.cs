using FsCheck;
using FsCheck.Fluent;
using Scalpaiboard.Market.Indicators;

namespace Scalpaiboard.Market.Tests.Indicators;

/// <summary>
/// <see cref="TimeframeIndicators"/> keeps its state packed in two structs; its values must be bit for bit those of
/// the single streaming indicators it stands for (each of which is checked against the reference data elsewhere),
/// composed the straightforward way as <see cref="ComposedTimeframeIndicators"/> does.
/// </summary>
public sealed class PackedIndicatorsTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(60);

    [Fact]
    public void Packed_state_gives_the_single_indicators_values_bit_for_bit_on_random_series()
    {
        var series = Gen.Choose(0, int.MaxValue - 1).SelectMany(seed => Gen.Choose(1, 300).Select(length => (seed, length)));
        Prop.ForAll(series.ToArbitrary(), s => Check(StreamingMatchesBatchTests.RandomSeries(s.seed, s.length), s.seed)).Check(Runs);
    }

    [Fact]
    public void Packed_state_gives_the_single_indicators_values_bit_for_bit_on_the_reference_data()
    {
        Check(TestQuotes.Default, 1);
        Check(TestQuotes.Intraday, 2);
    }

    [Fact]
    public void Packed_state_matches_on_flat_and_zero_volume_stretches()
    {
        var quotes = StreamingMatchesBatchTests.RandomSeries(5, 200);
        for (var i = 40; i < 90; i++)
        {
            var q = quotes[39];
            quotes[i] = q with { Date = q.Date.AddHours(i - 39), Open = q.Close, High = q.Close, Low = q.Close, Volume = 0 };
        }

        Check(quotes, 3);
    }

    private static void Check(IReadOnlyList<Quote> quotes, int seed)
    {
        var random = new Random(seed);
        var packed = new TimeframeIndicators();
        var composed = new ComposedTimeframeIndicators();
        var a = IndicatorValues.Unavailable;
        var b = IndicatorValues.Unavailable;
        for (var i = 0; i < quotes.Count; i++)
        {
            if (random.Next(150) == 0)
            {
                packed.Reset();
                composed.Reset();
            }

            var bar = ToCandle(quotes[i]);
            // A few forming states of the bar before it closes, as the engine peeks them minute by minute.
            for (var peek = 0; peek < 3; peek++)
            {
                var forming = peek == 2 ? bar : bar with { Close = bar.Close * (0.99 + (random.NextDouble() * 0.02)), Volume = bar.Volume * random.NextDouble() };
                forming = forming with { High = Math.Max(forming.High, forming.Close), Low = Math.Min(forming.Low, forming.Close) };
                packed.Compute(forming, ref a);
                composed.Compute(forming, ref b);
                AssertBits(b, a, $"bar {i}, peek {peek}");
            }

            packed.OnBarClosed(bar);
            composed.OnBarClosed(bar);
            Assert.Equal(composed.BarCount, packed.BarCount);
        }
    }

    private static Candle ToCandle(in Quote q) => new(
        new DateTimeOffset(q.Date).ToUnixTimeMilliseconds(), q.Open, q.High, q.Low, q.Close, q.Volume, q.Volume * q.Close, 1, 0, 0);

    internal static void AssertBits(in IndicatorValues expected, in IndicatorValues actual, string where)
    {
        var e = Fields(expected);
        var a = Fields(actual);
        for (var i = 0; i < e.Length; i++)
        {
            Assert.True(BitConverter.DoubleToInt64Bits(e[i].Value) == BitConverter.DoubleToInt64Bits(a[i].Value),
                $"{where}: {e[i].Name} expected {e[i].Value:R}, got {a[i].Value:R}");
        }
    }

    private static (string Name, double Value)[] Fields(in IndicatorValues v) =>
    [
        ("Sma20", v.Sma20), ("Ema20", v.Ema20), ("Ema50", v.Ema50), ("Rsi14", v.Rsi14), ("Macd", v.Macd),
        ("MacdSignal", v.MacdSignal), ("MacdHistogram", v.MacdHistogram), ("BbUpper", v.BbUpper), ("BbMiddle", v.BbMiddle),
        ("BbLower", v.BbLower), ("BbPercentB", v.BbPercentB), ("BbWidth", v.BbWidth), ("Atr14", v.Atr14),
        ("AtrPercent", v.AtrPercent), ("StochK", v.StochK), ("StochD", v.StochD), ("Adx14", v.Adx14), ("Cci20", v.Cci20),
        ("WilliamsR14", v.WilliamsR14), ("Vwap", v.Vwap), ("Vcp", v.Vcp), ("PivotPp", v.PivotPp), ("PivotR1", v.PivotR1),
        ("PivotS1", v.PivotS1), ("Roc20", v.Roc20), ("DonchianUpper20", v.DonchianUpper20),
        ("DonchianLower20", v.DonchianLower20), ("KeltnerUpper", v.KeltnerUpper), ("KeltnerLower", v.KeltnerLower),
        ("SuperTrend", v.SuperTrend), ("SuperTrendDirection", v.SuperTrendDirection), ("Psar", v.Psar), ("Obv", v.Obv),
    ];

    /// <summary>
    /// The headline indicators composed from the single streaming indicators, one object each (how
    /// <see cref="TimeframeIndicators"/> was written before its state was packed).
    /// </summary>
    private sealed class ComposedTimeframeIndicators
    {
        private readonly Sma _sma20 = new(20);
        private readonly Ema _ema20 = new(20);
        private readonly Ema _ema50 = new(50);
        private readonly Rsi _rsi14 = new(14);
        private readonly Macd _macd = new(12, 26, 9);
        private readonly BollingerBands _bollinger = new(20, 2);
        private readonly Atr _atr14 = new(14);
        private readonly Stoch _stoch = new(14, 3, 3);
        private readonly Adx _adx14 = new(14);
        private readonly Cci _cci20 = new(20);
        private readonly WilliamsR _williamsR14 = new(14);
        private readonly RollingVwap _vwap20 = new(20);
        private readonly Vcp _vcp20 = new(20);
        private readonly Roc _roc20 = new(20);
        private readonly Donchian _donchian20 = new(20);
        private readonly Keltner _keltner = new(20, 2, 10);
        private readonly SuperTrend _superTrend = new(14, 3);
        private readonly ParabolicSar _sar = new(0.02, 0.2);
        private readonly Obv _obv = new();
        private bool _hasPrevious;
        private double _prevHigh;
        private double _prevLow;
        private double _prevClose;

        public long BarCount { get; private set; }

        public void OnBarClosed(in Candle bar)
        {
            var q = Quote.FromCandle(bar);
            _sma20.Add(q);
            _ema20.Add(q);
            _ema50.Add(q);
            _rsi14.Add(q);
            _macd.Add(q);
            _bollinger.Add(q);
            _atr14.Add(q);
            _stoch.Add(q);
            _adx14.Add(q);
            _cci20.Add(q);
            _williamsR14.Add(q);
            _vwap20.Add(q);
            _vcp20.Add(q);
            _roc20.Add(q);
            _donchian20.Add(q);
            _keltner.Add(q);
            _superTrend.Add(q);
            _sar.Add(q);
            _obv.Add(q);
            (_hasPrevious, _prevHigh, _prevLow, _prevClose) = (true, q.High, q.Low, q.Close);
            BarCount++;
        }

        public void Compute(in Candle forming, ref IndicatorValues values)
        {
            var q = Quote.FromCandle(forming);
            values.Sma20 = _sma20.Peek(q).Sma ?? double.NaN;
            values.Ema20 = _ema20.Peek(q).Ema ?? double.NaN;
            values.Ema50 = _ema50.Peek(q).Ema ?? double.NaN;
            values.Rsi14 = _rsi14.Peek(q).Rsi ?? double.NaN;
            var macd = _macd.Peek(q);
            values.Macd = macd.Macd ?? double.NaN;
            values.MacdSignal = macd.Signal ?? double.NaN;
            values.MacdHistogram = macd.Histogram ?? double.NaN;
            var bb = _bollinger.Peek(q);
            values.BbUpper = bb.UpperBand ?? double.NaN;
            values.BbMiddle = bb.Sma ?? double.NaN;
            values.BbLower = bb.LowerBand ?? double.NaN;
            values.BbPercentB = bb.PercentB ?? double.NaN;
            values.BbWidth = bb.Width ?? double.NaN;
            var atr = _atr14.Peek(q);
            values.Atr14 = atr.Atr ?? double.NaN;
            values.AtrPercent = atr.Atrp ?? double.NaN;
            var stoch = _stoch.Peek(q);
            values.StochK = stoch.Oscillator ?? double.NaN;
            values.StochD = stoch.Signal ?? double.NaN;
            values.Adx14 = _adx14.Peek(q).Adx ?? double.NaN;
            values.Cci20 = _cci20.Peek(q).Cci ?? double.NaN;
            values.WilliamsR14 = _williamsR14.Peek(q).WilliamsR ?? double.NaN;
            values.Vwap = _vwap20.Peek(q).Vwap ?? double.NaN;
            values.Vcp = _vcp20.Peek(q).Vcp ?? double.NaN;
            values.Roc20 = _roc20.Peek(q).Roc ?? double.NaN;
            var donchian = _donchian20.Peek(q);
            values.DonchianUpper20 = donchian.UpperBand ?? double.NaN;
            values.DonchianLower20 = donchian.LowerBand ?? double.NaN;
            var keltner = _keltner.Peek(q);
            values.KeltnerUpper = keltner.UpperBand ?? double.NaN;
            values.KeltnerLower = keltner.LowerBand ?? double.NaN;
            var superTrend = _superTrend.Peek(q);
            values.SuperTrend = superTrend.SuperTrend ?? double.NaN;
            values.SuperTrendDirection = superTrend.SuperTrend is null ? double.NaN : superTrend.LowerBand is null ? -1 : 1;
            values.Psar = _sar.Peek(q).Sar ?? double.NaN;
            values.Obv = _obv.Peek(q).Obv ?? double.NaN;
            if (_hasPrevious)
            {
                var pp = (_prevHigh + _prevLow + _prevClose) / 3;
                values.PivotPp = pp;
                values.PivotR1 = (2 * pp) - _prevLow;
                values.PivotS1 = (2 * pp) - _prevHigh;
            }
            else
            {
                values.PivotPp = values.PivotR1 = values.PivotS1 = double.NaN;
            }
        }

        public void Reset()
        {
            _sma20.Reset();
            _ema20.Reset();
            _ema50.Reset();
            _rsi14.Reset();
            _macd.Reset();
            _bollinger.Reset();
            _atr14.Reset();
            _stoch.Reset();
            _adx14.Reset();
            _cci20.Reset();
            _williamsR14.Reset();
            _vwap20.Reset();
            _vcp20.Reset();
            _roc20.Reset();
            _donchian20.Reset();
            _keltner.Reset();
            _superTrend.Reset();
            _sar.Reset();
            _obv.Reset();
            _hasPrevious = false;
            _prevHigh = _prevLow = _prevClose = 0;
            BarCount = 0;
        }
    }
}
