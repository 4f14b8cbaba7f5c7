namespace Scalpaiboard.Market.Indicators;

public readonly record struct VcpResult(double? Vcp);

/// <summary>
/// VCP from the product seeds: (P / WA) * [((C - L) - (H - C)) / (H - L)]. Our reading: P = the bar's close,
/// WA = the VWAP of the last <c>period</c> bars including this one (<see cref="RollingVwap"/>), H/L/C = the bar's
/// high, low and close; the bracket is the close-location value in [-1, 1], 0 when H == L. So VCP is the
/// close-location value scaled by how far the price sits above or below its recent volume-weighted average.
/// Warm-up: as <see cref="RollingVwap"/> (first <c>period - 1</c> bars null).
/// </summary>
public sealed class Vcp
{
    private readonly RollingVwap _vwap;

    public Vcp(int period = 20) => _vwap = new RollingVwap(period);

    public int Period => _vwap.Period;

    public VcpResult Peek(in Quote quote) => Result(quote, _vwap.Peek(quote).Vwap);

    public VcpResult Add(in Quote quote) => Result(quote, _vwap.Add(quote).Vwap);

    public void Reset() => _vwap.Reset();

    internal static double Value(in Quote q, double weightedAverage) => Value(q.High, q.Low, q.Close, weightedAverage);

    internal static double Value(double high, double low, double close, double weightedAverage)
    {
        if (double.IsNaN(weightedAverage) || weightedAverage == 0)
        {
            return double.NaN;
        }

        var range = high - low;
        var location = range == 0 ? 0 : ((close - low) - (high - close)) / range;
        return close / weightedAverage * location;
    }

    private static VcpResult Result(in Quote q, double? weightedAverage) =>
        new(Num.N(Value(q, weightedAverage ?? double.NaN)));

    public static VcpResult[] Calculate(IReadOnlyList<Quote> quotes, int period = 20)
    {
        var vwap = RollingVwap.Calculate(quotes, period);
        var results = new VcpResult[quotes.Count];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = Result(quotes[i], vwap[i].Vwap);
        }

        return results;
    }
}
