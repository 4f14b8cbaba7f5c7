using static Scalpaiboard.Market.Indicators.Num;

namespace Scalpaiboard.Market.Indicators;

public readonly record struct AtrResult(double? Tr, double? Atr, double? Atrp);

/// <summary>
/// Wilder's average true range, as Skender.Stock.Indicators 2.5+ computes it: TR needs a previous close, so the
/// first bar has none; ATR is the simple average of the first <c>period</c> TRs (bars 1..period), then
/// <c>(atr * (n - 1) + tr) / n</c>. Atrp = atr / close * 100. Warm-up: Tr from bar 1, Atr/Atrp from bar <c>period</c>.
/// </summary>
public sealed class Atr
{
    private AtrState _state;
    private double _prevClose;

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
        _state = default;
        _prevClose = 0;
    }

    internal static double TrueRange(in Quote quote, double prevClose) => AtrState.TrueRange(quote.High, quote.Low, prevClose);

    private AtrResult Step(in Quote quote, bool commit)
    {
        var atr = _state.Peek(quote.High, quote.Low, _prevClose, Period, out var tr, out var sum);
        if (commit)
        {
            _prevClose = quote.Close;
            _state.Commit(atr, sum, Period);
        }

        return new AtrResult(N(tr), N(atr), double.IsNaN(atr) || quote.Close == 0 ? null : atr / quote.Close * 100d);
    }

    public static AtrResult[] Calculate(IReadOnlyList<Quote> quotes, int period = 14)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        var results = new AtrResult[quotes.Count];
        var atr = double.NaN;
        for (var i = 1; i < quotes.Count; i++)
        {
            var q = quotes[i];
            var tr = TrueRange(q, quotes[i - 1].Close);
            if (i == period)
            {
                var sum = 0d;
                for (var j = 1; j <= period; j++)
                {
                    sum += TrueRange(quotes[j], quotes[j - 1].Close);
                }

                atr = sum / period;
            }
            else if (i > period)
            {
                atr = ((atr * (period - 1)) + tr) / period;
            }

            results[i] = new AtrResult(tr, N(atr), double.IsNaN(atr) || q.Close == 0 ? null : atr / q.Close * 100d);
        }

        return results;
    }
}
