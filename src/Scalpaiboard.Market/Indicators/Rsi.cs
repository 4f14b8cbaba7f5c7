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
    private int _count;
    private double _prevClose;
    private double _sumGain;
    private double _sumLoss;
    private double _avgGain;
    private double _avgLoss;

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
        _count = 0;
        _prevClose = _sumGain = _sumLoss = _avgGain = _avgLoss = 0;
    }

    private RsiResult Step(in Quote quote, bool commit)
    {
        var close = quote.Close;
        if (_count == 0)
        {
            if (commit)
            {
                _prevClose = close;
                _count = 1;
            }

            return default;
        }

        var n = Period;
        var gain = close > _prevClose ? close - _prevClose : 0d;
        var loss = close < _prevClose ? _prevClose - close : 0d;
        var i = _count;
        double avgGain = _avgGain, avgLoss = _avgLoss, sumGain = _sumGain, sumLoss = _sumLoss;
        var rsi = double.NaN;
        if (i > n)
        {
            avgGain = ((avgGain * (n - 1)) + gain) / n;
            avgLoss = ((avgLoss * (n - 1)) + loss) / n;
            rsi = Value(avgGain, avgLoss);
        }
        else
        {
            sumGain += gain;
            sumLoss += loss;
            if (i == n)
            {
                avgGain = sumGain / n;
                avgLoss = sumLoss / n;
                rsi = Value(avgGain, avgLoss);
            }
        }

        if (commit)
        {
            _prevClose = close;
            _count = i + 1 > n + 1 ? n + 1 : i + 1;
            (_avgGain, _avgLoss, _sumGain, _sumLoss) = (avgGain, avgLoss, sumGain, sumLoss);
        }

        return new RsiResult(N(rsi));
    }

    private static double Value(double avgGain, double avgLoss) =>
        avgLoss > 0 ? 100d - (100d / (1d + (avgGain / avgLoss))) : 100d;

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
