using static Scalpaiboard.Market.Indicators.Num;

namespace Scalpaiboard.Market.Indicators;

public readonly record struct AdxResult(double? Pdi, double? Mdi, double? Dx, double? Adx, double? Adxr);

/// <summary>
/// Wilder's directional movement. From the second bar: TR, +DM, -DM; their Wilder sums start as the plain sum of
/// bars 1..n and continue as <c>s - s / n + x</c>; +DI/-DI = 100 * DM / TR sum; DX = 100 |+DI - -DI| / (+DI + -DI);
/// ADX = mean of the first n DX (bars n..2n-1) then <c>(adx (n - 1) + dx) / n</c>; ADXR = (ADX + ADX n-1 bars ago) / 2.
/// Warm-up (14): Pdi/Mdi/Dx from bar 14, Adx from bar 27, Adxr from bar 40.
/// As in the reference library a bar whose smoothed TR is 0 has no values at all and does not count towards ADX;
/// +DI == -DI gives DX 0.
/// </summary>
public sealed class Adx
{
    private readonly RollingSum _adxHistory;
    private int _count;
    private double _prevHigh;
    private double _prevLow;
    private double _prevClose;
    private double _trs;
    private double _pdms;
    private double _mdms;
    private double _sumDx;
    private double _adx;

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
        _count = 0;
        _prevHigh = _prevLow = _prevClose = _trs = _pdms = _mdms = _sumDx = _adx = 0;
    }

    internal static (double Tr, double Pdm, double Mdm) Movement(in Quote q, double prevHigh, double prevLow, double prevClose)
    {
        var tr = Math.Max(q.High - q.Low, Math.Max(Math.Abs(q.High - prevClose), Math.Abs(q.Low - prevClose)));
        var up = q.High - prevHigh;
        var down = prevLow - q.Low;
        return (tr, up > down ? Math.Max(up, 0) : 0, down > up ? Math.Max(down, 0) : 0);
    }

    internal static (double Pdi, double Mdi, double Dx) Directional(double trs, double pdms, double mdms)
    {
        if (trs == 0)
        {
            return (double.NaN, double.NaN, double.NaN);
        }

        var pdi = 100d * pdms / trs;
        var mdi = 100d * mdms / trs;
        var dx = pdi == mdi ? 0 : 100d * Math.Abs(pdi - mdi) / (pdi + mdi);
        return (pdi, mdi, dx);
    }

    private AdxResult Step(in Quote quote, bool commit)
    {
        var n = Period;
        var i = _count;
        if (i == 0)
        {
            if (commit)
            {
                (_prevHigh, _prevLow, _prevClose, _count) = (quote.High, quote.Low, quote.Close, 1);
            }

            return default;
        }

        var (tr, pdm, mdm) = Movement(quote, _prevHigh, _prevLow, _prevClose);
        double trs, pdms, mdms;
        if (i <= n)
        {
            (trs, pdms, mdms) = (_trs + tr, _pdms + pdm, _mdms + mdm);
        }
        else
        {
            trs = _trs - (_trs / n) + tr;
            pdms = _pdms - (_pdms / n) + pdm;
            mdms = _mdms - (_mdms / n) + mdm;
        }

        double pdi = double.NaN, mdi = double.NaN, dx = double.NaN, adx = double.NaN, adxr = double.NaN;
        var sumDx = _sumDx;
        if (i >= n && trs != 0)
        {
            (pdi, mdi, dx) = Directional(trs, pdms, mdms);
            if (i > (2 * n) - 1)
            {
                adx = ((_adx * (n - 1)) + dx) / n;
            }
            else
            {
                sumDx += dx;
                if (i == (2 * n) - 1)
                {
                    adx = sumDx / n;
                }
            }

            if (i >= (3 * n) - 2)
            {
                adxr = (adx + _adxHistory.Ago(n - 2)) / 2;
            }
        }

        if (commit)
        {
            (_prevHigh, _prevLow, _prevClose) = (quote.High, quote.Low, quote.Close);
            (_trs, _pdms, _mdms, _sumDx) = (trs, pdms, mdms, sumDx);
            if (!double.IsNaN(adx))
            {
                _adx = adx;
            }

            _adxHistory.Push(adx);
            if (_count < 3 * n)
            {
                _count++;
            }
        }

        return new AdxResult(N(pdi), N(mdi), N(dx), N(adx), N(adxr));
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

            var adxr = i >= (3 * period) - 2 ? (adx[i] + adx[i - period + 1]) / 2 : double.NaN;
            results[i] = new AdxResult(pdi, mdi, dx, N(adx[i]), N(adxr));
        }

        return results;
    }
}
