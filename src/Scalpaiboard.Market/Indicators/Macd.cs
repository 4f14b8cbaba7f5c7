using static Scalpaiboard.Market.Indicators.Num;

namespace Scalpaiboard.Market.Indicators;

public readonly record struct MacdResult(double? Macd, double? Signal, double? Histogram, double? FastEma, double? SlowEma);

/// <summary>
/// MACD: fast EMA - slow EMA of the close (both SMA-seeded); signal = SMA-seeded EMA of the MACD line.
/// Warm-up (12,26,9): FastEma from bar 11, SlowEma and Macd from bar 25, Signal and Histogram from bar 33.
/// </summary>
public sealed class Macd
{
    private SeededEma _fast;
    private SeededEma _slow;
    private SeededEma _signal;

    public Macd(int fastPeriods = 12, int slowPeriods = 26, int signalPeriods = 9)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fastPeriods, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(slowPeriods, fastPeriods);
        ArgumentOutOfRangeException.ThrowIfLessThan(signalPeriods, 1);
        (FastPeriods, SlowPeriods, SignalPeriods) = (fastPeriods, slowPeriods, signalPeriods);
        _fast = new SeededEma(fastPeriods);
        _slow = new SeededEma(slowPeriods);
        _signal = new SeededEma(signalPeriods);
    }

    public int FastPeriods { get; }

    public int SlowPeriods { get; }

    public int SignalPeriods { get; }

    public MacdResult Peek(in Quote quote) => Step(quote.Close, commit: false);

    public MacdResult Add(in Quote quote) => Step(quote.Close, commit: true);

    public void Reset()
    {
        _fast.Reset();
        _slow.Reset();
        _signal.Reset();
    }

    private MacdResult Step(double close, bool commit)
    {
        var fast = _fast.Peek(close);
        var slow = _slow.Peek(close);
        var macd = fast - slow;
        var signal = double.IsNaN(macd) ? double.NaN : _signal.Peek(macd);
        if (commit)
        {
            _fast.Push(close);
            _slow.Push(close);
            if (!double.IsNaN(macd))
            {
                _signal.Push(macd);
            }
        }

        return new MacdResult(N(macd), N(signal), N(macd - signal), N(fast), N(slow));
    }

    public static MacdResult[] Calculate(IReadOnlyList<Quote> quotes, int fastPeriods = 12, int slowPeriods = 26, int signalPeriods = 9)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(slowPeriods, fastPeriods);
        var closes = new double[quotes.Count];
        for (var i = 0; i < closes.Length; i++)
        {
            closes[i] = quotes[i].Close;
        }

        var fast = Ema.Series(closes, fastPeriods);
        var slow = Ema.Series(closes, slowPeriods);
        var macd = new double[closes.Length];
        for (var i = 0; i < macd.Length; i++)
        {
            macd[i] = fast[i] - slow[i];
        }

        var signal = Ema.Series(macd, signalPeriods);
        var results = new MacdResult[closes.Length];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = new MacdResult(N(macd[i]), N(signal[i]), N(macd[i] - signal[i]), N(fast[i]), N(slow[i]));
        }

        return results;
    }
}
