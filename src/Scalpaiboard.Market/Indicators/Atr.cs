using static Scalpaiboard.Market.Indicators.Num;

namespace Scalpaiboard.Market.Indicators;

public readonly record struct AtrResult(double? Tr, double? Atr, double? Atrp);

/// <summary>
/// Wilder's average true range. TR of the first bar is high - low (no previous close); ATR is the simple
/// average of the first <c>period</c> TRs (bars 0..period-1), then <c>(atr * (n - 1) + tr) / n</c>.
/// Atrp = atr / close * 100. Warm-up: Tr from bar 0, Atr/Atrp from bar <c>period - 1</c>.
/// </summary>
public sealed class Atr
{
    private int _count;
    private double _prevClose;
    private double _sumTr;
    private double _atr;

    public Atr(int period = 14)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        Period = period;
    }

    public int Period { get; }

    public AtrResult Peek(in Quote quote) => Step(quote, commit: false);

    public AtrResult Add(in Quote quote) => Step(quote, commit: true);

    public void Reset()
    {
        _count = 0;
        _prevClose = _sumTr = _atr = 0;
    }

    internal static double TrueRange(in Quote quote, double prevClose, bool first) =>
        first
            ? quote.High - quote.Low
            : Math.Max(quote.High - quote.Low, Math.Max(Math.Abs(quote.High - prevClose), Math.Abs(quote.Low - prevClose)));

    private AtrResult Step(in Quote quote, bool commit)
    {
        var n = Period;
        var tr = TrueRange(quote, _prevClose, _count == 0);
        var atr = double.NaN;
        var sum = _sumTr;
        if (_count >= n)
        {
            atr = ((_atr * (n - 1)) + tr) / n;
        }
        else
        {
            sum += tr;
            if (_count == n - 1)
            {
                atr = sum / n;
            }
        }

        if (commit)
        {
            _prevClose = quote.Close;
            _sumTr = sum;
            if (!double.IsNaN(atr))
            {
                _atr = atr;
            }

            if (_count < n)
            {
                _count++;
            }
        }

        return new AtrResult(tr, N(atr), double.IsNaN(atr) || quote.Close == 0 ? null : atr / quote.Close * 100d);
    }

    public static AtrResult[] Calculate(IReadOnlyList<Quote> quotes, int period = 14)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        var results = new AtrResult[quotes.Count];
        var atr = double.NaN;
        for (var i = 0; i < quotes.Count; i++)
        {
            var q = quotes[i];
            var tr = TrueRange(q, i == 0 ? 0 : quotes[i - 1].Close, i == 0);
            if (i == period - 1)
            {
                var sum = 0d;
                for (var j = 0; j < period; j++)
                {
                    sum += TrueRange(quotes[j], j == 0 ? 0 : quotes[j - 1].Close, j == 0);
                }

                atr = sum / period;
            }
            else if (i >= period)
            {
                atr = ((atr * (period - 1)) + tr) / period;
            }

            results[i] = new AtrResult(tr, N(atr), double.IsNaN(atr) || q.Close == 0 ? null : atr / q.Close * 100d);
        }

        return results;
    }
}
