using Scalpaiboard.Market.Metrics;

namespace Scalpaiboard.Market.Signals;

/// <summary>
/// Decides which of the ten presets hold on a snapshot (SIGNALS.md). Every comparison is strict and written
/// with the same arithmetic as the reference (<c>6 * v_1h &gt; v_8h</c>, <c>3 * c_5m &gt; c_15m</c>), so results
/// agree bit for bit on the same inputs. A preset whose windows are unavailable (NaN) does not hold; the
/// market-cap bounds apply only when <see cref="MetricsSnapshot.MarketCap"/> is known. No cooldown here (see
/// <see cref="SignalCooldown"/>). Stateless and allocation-free.
/// </summary>
public sealed class PresetEvaluator(PresetThresholds thresholds)
{
    private const int M5 = (int)Window.M5, M15 = (int)Window.M15, H1 = (int)Window.H1, H8 = (int)Window.H8, D1 = (int)Window.D1;

    public PresetEvaluator() : this(new PresetThresholds())
    {
    }

    public PresetThresholds Thresholds { get; } = thresholds;

    public PresetMask Evaluate(MetricsSnapshot s)
    {
        var t = Thresholds;
        var cap = s.MarketCap;
        if (!double.IsNaN(cap) && !(cap > t.MinMarketCap && t.MaxMarketCap > cap))
        {
            return PresetMask.None;
        }

        var c = s.Change;
        var v = s.QuoteVolume;
        var has5 = Has(c, v, M5);
        var has15 = Has(c, v, M15);
        var has1h = Has(c, v, H1);
        var has8h = Has(c, v, H8);
        var has1d = Has(c, v, D1);
        var bits = 0;

        if (has1h && has8h && has1d)
        {
            if (Big60Bull(t.BigBull60, c, v))
            {
                bits |= 1 << (int)PresetType.BigBull60;
            }
            if (Big60Bear(t.BigBear60, c, v))
            {
                bits |= 1 << (int)PresetType.BigBear60;
            }
        }
        if (has5 && has15)
        {
            var p = t.PioneerBull;
            if (c[M5] > p.Change5m && c[M15] > p.Change15m && p.Change5mTo15mFactor * c[M5] > c[M15]
                && p.Volume5mTo15mFactor * v[M5] > v[M15])
            {
                bits |= 1 << (int)PresetType.PioneerBull;
            }
            p = t.PioneerBear;
            if (p.Change5m > c[M5] && p.Change15m > c[M15] && c[M15] > p.Change5mTo15mFactor * c[M5]
                && p.Volume5mTo15mFactor * v[M5] > v[M15])
            {
                bits |= 1 << (int)PresetType.PioneerBear;
            }
        }
        if (has5 && has15 && has1h && has8h && has1d)
        {
            var f = t.FiveBigBull;
            if (c[M5] > f.Change5m && f.Change1d > c[D1] && c[M15] > c[M5] && c[H1] > c[M15] && FiveBigVolumes(f, v))
            {
                bits |= 1 << (int)PresetType.FiveBigBull;
            }
            f = t.FiveBigBear;
            if (f.Change5m > c[M5] && c[D1] > f.Change1d && c[M5] > c[M15] && c[M15] > c[H1] && FiveBigVolumes(f, v))
            {
                bits |= 1 << (int)PresetType.FiveBigBear;
            }
        }
        if (has15 && has1h && has8h && has1d)
        {
            var f = t.FifteenBigBull;
            if (c[M15] > f.Change15m && f.Change1d > c[D1] && c[H1] > c[M15] && c[H8] > c[H1] && FifteenBigVolumes(f, v))
            {
                bits |= 1 << (int)PresetType.FifteenBigBull;
            }
            f = t.FifteenBigBear;
            if (f.Change15m > c[M15] && c[D1] > f.Change1d && c[M15] > c[H1] && c[H1] > c[H8] && FifteenBigVolumes(f, v))
            {
                bits |= 1 << (int)PresetType.FifteenBigBear;
            }
        }
        if (has5 && has15 && has1h)
        {
            var h = t.BottomHunter;
            if (h.Change1h > c[H1] && h.Change15m > c[M15] && c[M5] > h.Change5m && HunterVolumes(h, v))
            {
                bits |= 1 << (int)PresetType.BottomHunter;
            }
            h = t.TopHunter;
            if (c[H1] > h.Change1h && c[M15] > h.Change15m && h.Change5m > c[M5] && HunterVolumes(h, v))
            {
                bits |= 1 << (int)PresetType.TopHunter;
            }
        }
        return new PresetMask(bits);
    }

    private static bool Has(double[] change, double[] volume, int w) => !double.IsNaN(change[w]) && !double.IsNaN(volume[w]);

    private static bool Big60Bull(Big60Thresholds b, double[] c, double[] v) =>
        c[H1] > b.Change1h && b.Change1d > c[D1] && c[H8] > c[H1] && c[D1] > c[H8] && Big60Volumes(b, v);

    private static bool Big60Bear(Big60Thresholds b, double[] c, double[] v) =>
        b.Change1h > c[H1] && c[D1] > b.Change1d && c[H1] > c[H8] && c[H8] > c[D1] && Big60Volumes(b, v);

    private static bool Big60Volumes(Big60Thresholds b, double[] v) =>
        v[H1] > b.Volume1h && v[H8] > b.Volume8h && b.Volume1hTo8hFactor * v[H1] > v[H8] && b.Volume1hTo1dFactor * v[H1] > v[D1];

    private static bool FiveBigVolumes(FiveBigThresholds f, double[] v) =>
        v[M5] > f.Volume5m && v[H1] > f.Volume1h && f.Volume5mTo15mFactor * v[M5] > v[M15]
        && f.Volume5mTo1hFactor * v[M5] > v[H1] && f.Volume5mTo8hFactor * v[M5] > v[H8];

    private static bool FifteenBigVolumes(FifteenBigThresholds f, double[] v) =>
        v[M15] > f.Volume15m && v[H1] > f.Volume1h && f.Volume15mTo1hFactor * v[M15] > v[H1] && f.Volume15mTo8hFactor * v[M15] > v[H8];

    private static bool HunterVolumes(HunterThresholds h, double[] v) =>
        h.Volume5mTo15mFactor * v[M5] > v[M15] && h.Volume5mTo1hFactor * v[M5] > v[H1];
}
