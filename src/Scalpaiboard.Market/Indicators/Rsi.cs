using static Scalpaiboard.Market.Indicators.Num;

namespace Scalpaiboard.Market.Indicators;

public readonly record struct RsiResult(double? Rsi);

/// <summary>
/// Wilder's RSI of the close. Gains and losses start at the second bar; the first averages are the simple
/// averages of the first <c>period</c> changes, then Wilder smoothing <c>(avg * (n - 1) + x) / n</c>.
/// Warm-up: the first <c>period</c> bars are null. No losses in the window gives 100.
/// </summary>
public sealed class Rsi
{
    private RsiState _state;
    private double _prevClose;

    public Rsi(int period = 14)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        Period = period;
    }

    public int Period { get; }

    public RsiResult Peek(in Quote quote) => Step(quote, commit: false);

    public RsiResult Add(in Quote quote) => Step(quote, commit: true);

    public void Reset()
    {
        _state = default;
        _prevClose = 0;
    }

    private RsiResult Step(in Quote quote, bool commit)
    {
        var rsi = _state.Peek(_prevClose, quote.Close, Period, out var next);
        if (commit)
        {
            _prevClose = quote.Close;
            _state = next;
        }

        return new RsiResult(N(rsi));
    }

    private static double Value(double avgGain, double avgLoss) => RsiState.Value(avgGain, avgLoss);

    public static RsiResult[] Calculate(IReadOnlyList<Quote> quotes, int period = 14)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        var results = new RsiResult[quotes.Count];
        if (quotes.Count <= period)
        {
            return results;
        }

        var gains = new double[quotes.Count];
        var losses = new double[quotes.Count];
        for (var i = 1; i < quotes.Count; i++)
        {
            var change = quotes[i].Close - quotes[i - 1].Close;
            gains[i] = Math.Max(change, 0);
            losses[i] = Math.Max(-change, 0);
        }

        double avgGain = 0, avgLoss = 0;
        for (var i = 1; i <= period; i++)
        {
            avgGain += gains[i] / period;
            avgLoss += losses[i] / period;
        }

        results[period] = new RsiResult(Value(avgGain, avgLoss));
        for (var i = period + 1; i < quotes.Count; i++)
        {
            avgGain = ((avgGain * (period - 1)) + gains[i]) / period;
            avgLoss = ((avgLoss * (period - 1)) + losses[i]) / period;
            results[i] = new RsiResult(Value(avgGain, avgLoss));
        }

        return results;
    }
}
