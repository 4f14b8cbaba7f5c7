using static Scalpaiboard.Market.Indicators.Num;

namespace Scalpaiboard.Market.Indicators;

public readonly record struct AdxResult(double? Pdi, double? Mdi, double? Dx, double? Adx, double? Adxr);

/// <summary>
/// Wilder's directional movement. From the second bar: TR, +DM, -DM; their Wilder sums start as the plain sum of
/// bars 1..n and continue as <c>s - s / n + x</c>; +DI/-DI = 100 * DM / TR sum; DX = 100 |+DI - -DI| / (+DI + -DI);
/// ADX = mean of the first n DX (bars n..2n-1) then <c>(adx (n - 1) + dx) / n</c>; ADXR = (ADX + ADX n bars ago) / 2,
/// from the first bar whose ADX n bars ago exists (the library's 2.7.1+ and 3.x; before, it took the ADX n-1 bars ago).
/// Warm-up (14): Pdi/Mdi/Dx from bar 14, Adx from bar 27, Adxr from bar 41.
/// As in the reference library a bar whose smoothed TR is 0 has no values at all and does not count towards ADX;
/// +DI == -DI gives DX 0.
/// </summary>
public sealed class Adx
{
    private readonly RollingSum _adxHistory;
    private DirectionalState _state;
    private double _prevHigh;
    private double _prevLow;
    private double _prevClose;

    public Adx(int period = 14)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 2);
        Period = period;
        _adxHistory = new RollingSum(period);
    }

    public int Period { get; }

    public AdxResult Peek(in Quote quote) => Step(quote, commit: false);

    public AdxResult Add(in Quote quote) => Step(quote, commit: true);

    public void Reset()
    {
        _adxHistory.Reset();
        _state = default;
        _prevHigh = _prevLow = _prevClose = 0;
    }

    internal static (double Tr, double Pdm, double Mdm) Movement(in Quote q, double prevHigh, double prevLow, double prevClose) =>
        DirectionalState.Movement(q.High, q.Low, prevHigh, prevLow, prevClose);

    internal static (double Pdi, double Mdi, double Dx) Directional(double trs, double pdms, double mdms) =>
        DirectionalState.Directional(trs, pdms, mdms);

    private AdxResult Step(in Quote quote, bool commit)
    {
        var n = Period;
        var i = _state.Count;
        if (!_state.Peek(quote.High, quote.Low, _prevHigh, _prevLow, _prevClose, n, out var s))
        {
            if (commit)
            {
                (_prevHigh, _prevLow, _prevClose) = (quote.High, quote.Low, quote.Close);
                _state.Commit(s, n);
            }

            return default;
        }

        // The history holds the ADX of bars 1..i-1 (NaN where there was none), so Ago(n - 1) is bar i - n.
        var adxr = i >= (3 * n) - 1 && s.Trs != 0 ? (s.Adx + _adxHistory.Ago(n - 1)) / 2 : double.NaN;
        if (commit)
        {
            (_prevHigh, _prevLow, _prevClose) = (quote.High, quote.Low, quote.Close);
            _state.Commit(s, n);
            _adxHistory.Push(s.Adx);
        }

        return new AdxResult(N(s.Pdi), N(s.Mdi), N(s.Dx), N(s.Adx), N(adxr));
    }

    public static AdxResult[] Calculate(IReadOnlyList<Quote> quotes, int period = 14)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 2);
        var count = quotes.Count;
        var results = new AdxResult[count];
        var adx = new double[count];
        Array.Fill(adx, double.NaN);
        var dxs = new double[count];
        double trs = 0, pdms = 0, mdms = 0, prevAdx = 0;
        for (var i = 1; i < count; i++)
        {
            var (tr, pdm, mdm) = Movement(quotes[i], quotes[i - 1].High, quotes[i - 1].Low, quotes[i - 1].Close);
            if (i <= period)
            {
                trs += tr;
                pdms += pdm;
                mdms += mdm;
            }
            else
            {
                trs = trs - (trs / period) + tr;
                pdms = pdms - (pdms / period) + pdm;
                mdms = mdms - (mdms / period) + mdm;
            }

            if (i < period || trs == 0)
            {
                continue;
            }

            var (pdi, mdi, dx) = Directional(trs, pdms, mdms);
            dxs[i] = dx;
            if (i == (2 * period) - 1)
            {
                var sum = 0d;
                for (var j = period; j <= i; j++)
                {
                    sum += dxs[j];
                }

                adx[i] = prevAdx = sum / period;
            }
            else if (i > (2 * period) - 1)
            {
                adx[i] = prevAdx = ((prevAdx * (period - 1)) + dx) / period;
            }

            var adxr = i >= (3 * period) - 1 ? (adx[i] + adx[i - period]) / 2 : double.NaN;
            results[i] = new AdxResult(pdi, mdi, dx, N(adx[i]), N(adxr));
        }

        return results;
    }
}
