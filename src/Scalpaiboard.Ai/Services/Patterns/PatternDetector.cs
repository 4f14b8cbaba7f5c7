namespace Scalpaiboard.Ai.Services.Patterns;

public sealed record DetectedPattern(string Name, string Bias, double Confidence, string Status, int StartIndex, int EndIndex,
    IReadOnlyDictionary<string, double> Levels, string Description);

/// <summary>
/// Classic chart patterns read from swing points (see docs/ai.md, "Pattern method"). Prices are compared with a
/// tolerance of 0.6 x ATR(14) of the series, so the rules scale with the coin's volatility; a confidence in 0..1
/// grows with how closely the points fit the textbook shape and whether price has confirmed (broken the neckline).
/// </summary>
public static class PatternDetector
{
    public const double ToleranceAtr = 0.6;

    public static List<DetectedPattern> Detect(IReadOnlyList<Bar> bars)
    {
        var found = new List<DetectedPattern>();
        if (bars.Count < 20)
        {
            return found;
        }
        var tol = Math.Max(ToleranceAtr * BarMath.Atr(bars), bars[^1].Close * 0.0005);
        var swings = SwingPoints.Find(bars, SwingPoints.DefaultWidth(bars.Count));
        var highs = swings.Where(s => s.IsHigh).ToList();
        var lows = swings.Where(s => !s.IsHigh).ToList();

        DoubleTopOrBottom(bars, highs, lows, tol, top: true, found);
        DoubleTopOrBottom(bars, lows, highs, tol, top: false, found);
        HeadAndShoulders(bars, highs, lows, tol, inverse: false, found);
        HeadAndShoulders(bars, lows, highs, tol, inverse: true, found);
        Triangle(bars, highs, lows, tol, found);
        Flag(bars, tol, bull: true, found);
        Flag(bars, tol, bull: false, found);
        found.Sort((a, b) => b.Confidence.CompareTo(a.Confidence));
        return found;
    }

    // Two comparable peaks (troughs) separated by a real trough (peak), the second recent, not exceeded since.
    private static void DoubleTopOrBottom(IReadOnlyList<Bar> bars, List<SwingPoint> peaks, List<SwingPoint> valleys, double tol,
        bool top, List<DetectedPattern> found)
    {
        if (peaks.Count < 2)
        {
            return;
        }
        var p1 = peaks[^2];
        var p2 = peaks[^1];
        var sign = top ? 1 : -1;
        var between = valleys.Where(v => v.Index > p1.Index && v.Index < p2.Index).ToList();
        if (between.Count == 0 || p2.Index - p1.Index < 4 || p2.Index < bars.Count * 2 / 3)
        {
            return;
        }
        var neck = top ? between.Min(v => v.Price) : between.Max(v => v.Price);
        var diff = Math.Abs(p1.Price - p2.Price);
        var depth = top ? Math.Min(p1.Price, p2.Price) - neck : neck - Math.Max(p1.Price, p2.Price);
        var extreme = top ? Math.Max(p1.Price, p2.Price) : Math.Min(p1.Price, p2.Price);
        if (diff > tol || depth < 2 * tol || Exceeded(bars, p2.Index + 1, extreme + sign * tol, top))
        {
            return;
        }
        var close = bars[^1].Close;
        var confirmed = top ? close < neck : close > neck;
        var confidence = 0.45 + 0.2 * (1 - diff / tol) + 0.1 * Math.Min(1, depth / (6 * tol)) + (confirmed ? 0.2 : 0);
        var name = top ? "double_top" : "double_bottom";
        found.Add(new DetectedPattern(name, top ? "bearish" : "bullish", Round(confidence), confirmed ? "confirmed" : "forming",
            p1.Index, bars.Count - 1,
            new Dictionary<string, double> { ["first"] = p1.Price, ["second"] = p2.Price, ["neckline"] = neck,
                ["target"] = neck - sign * depth },
            $"Two {(top ? "peaks" : "troughs")} near {Fmt(extreme)} with the neckline at {Fmt(neck)}; " +
            (confirmed ? "price has broken the neckline." : "a break of the neckline would confirm it.")));
    }

    // Left shoulder, higher head, right shoulder of similar height; neckline through the two troughs between them.
    private static void HeadAndShoulders(IReadOnlyList<Bar> bars, List<SwingPoint> peaks, List<SwingPoint> valleys, double tol,
        bool inverse, List<DetectedPattern> found)
    {
        if (peaks.Count < 3)
        {
            return;
        }
        var (l, h, r) = (peaks[^3], peaks[^2], peaks[^1]);
        var sign = inverse ? -1 : 1;
        var t1 = valleys.Where(v => v.Index > l.Index && v.Index < h.Index).ToList();
        var t2 = valleys.Where(v => v.Index > h.Index && v.Index < r.Index).ToList();
        if (t1.Count == 0 || t2.Count == 0 || r.Index < bars.Count / 2)
        {
            return;
        }
        var n1 = inverse ? t1.MaxBy(v => v.Price) : t1.MinBy(v => v.Price);
        var n2 = inverse ? t2.MaxBy(v => v.Price) : t2.MinBy(v => v.Price);
        var headAbove = inverse ? Math.Min(l.Price, r.Price) - h.Price : h.Price - Math.Max(l.Price, r.Price);
        var shoulderDiff = Math.Abs(l.Price - r.Price);
        var shouldersOverNeck = inverse
            ? Math.Min(n1.Price, n2.Price) - Math.Max(l.Price, r.Price)
            : Math.Min(l.Price, r.Price) - Math.Max(n1.Price, n2.Price);
        if (headAbove < tol || shoulderDiff > 1.5 * tol || shouldersOverNeck < tol)
        {
            return;
        }
        var slope = (n2.Price - n1.Price) / (n2.Index - n1.Index);
        var neckNow = n2.Price + slope * (bars.Count - 1 - n2.Index);
        var close = bars[^1].Close;
        var confirmed = inverse ? close > neckNow : close < neckNow;
        var symmetry = 1 - shoulderDiff / (1.5 * tol);
        var flatness = 1 - Math.Min(1, Math.Abs(n2.Price - n1.Price) / (3 * tol));
        var confidence = 0.4 + 0.2 * symmetry + 0.1 * flatness + 0.1 * Math.Min(1, headAbove / (4 * tol)) + (confirmed ? 0.15 : 0);
        found.Add(new DetectedPattern(inverse ? "inverse_head_and_shoulders" : "head_and_shoulders", inverse ? "bullish" : "bearish",
            Round(confidence), confirmed ? "confirmed" : "forming", l.Index, bars.Count - 1,
            new Dictionary<string, double> { ["leftShoulder"] = l.Price, ["head"] = h.Price, ["rightShoulder"] = r.Price,
                ["neckline"] = neckNow, ["target"] = neckNow - sign * Math.Abs(h.Price - (n1.Price + n2.Price) / 2) },
            $"{(inverse ? "Inverse head" : "Head")} at {Fmt(h.Price)} between shoulders at {Fmt(l.Price)} and {Fmt(r.Price)}; " +
            $"neckline now at {Fmt(neckNow)}" + (confirmed ? ", broken." : ", not yet broken.")));
    }

    // Lines fitted through the last swing highs and lows: flat/falling/rising within the tolerance over their span.
    private static void Triangle(IReadOnlyList<Bar> bars, List<SwingPoint> highs, List<SwingPoint> lows, double tol,
        List<DetectedPattern> found)
    {
        var from = bars.Count / 3;
        var hs = highs.Where(s => s.Index >= from).TakeLast(4).ToList();
        var ls = lows.Where(s => s.Index >= from).TakeLast(4).ToList();
        if (hs.Count < 2 || ls.Count < 2)
        {
            return;
        }
        var upper = BarMath.Fit(hs.Select(s => ((double)s.Index, s.Price)).ToList());
        var lower = BarMath.Fit(ls.Select(s => ((double)s.Index, s.Price)).ToList());
        var start = Math.Min(hs[0].Index, ls[0].Index);
        var end = bars.Count - 1;
        var span = end - start;
        var upMove = upper.Slope * span;
        var lowMove = lower.Slope * span;
        static int Dir(double move, double t) => move > t ? 1 : move < -t ? -1 : 0;
        var (du, dl) = (Dir(upMove, tol), Dir(lowMove, tol));
        var widthStart = (upper.Intercept + upper.Slope * start) - (lower.Intercept + lower.Slope * start);
        var widthEnd = (upper.Intercept + upper.Slope * end) - (lower.Intercept + lower.Slope * end);
        if (widthStart <= 0 || widthEnd >= widthStart * 0.8 || widthEnd < -tol)
        {
            return;
        }
        (string Name, string Bias)? kind = (du, dl) switch
        {
            (0, 1) => ("ascending_triangle", "bullish"),
            (-1, 0) => ("descending_triangle", "bearish"),
            (-1, 1) => ("symmetric_triangle", "neutral"),
            _ => null,
        };
        if (kind is null)
        {
            return;
        }
        var upperNow = upper.Intercept + upper.Slope * end;
        var lowerNow = lower.Intercept + lower.Slope * end;
        var close = bars[^1].Close;
        var status = close > upperNow + tol / 2 ? "broken_up" : close < lowerNow - tol / 2 ? "broken_down" : "forming";
        var points = Math.Min(1, (hs.Count + ls.Count - 4) / 4.0);
        var confidence = 0.4 + 0.2 * (upper.R2 + lower.R2) / 2 + 0.15 * points + 0.1 * (1 - widthEnd / widthStart)
            + (status == "forming" ? 0 : 0.1);
        found.Add(new DetectedPattern(kind.Value.Name, kind.Value.Bias, Round(confidence), status, start, end,
            new Dictionary<string, double> { ["upper"] = upperNow, ["lower"] = lowerNow },
            $"{hs.Count} swing highs and {ls.Count} swing lows converge; resistance line now {Fmt(upperNow)}, support line {Fmt(lowerNow)}."));
    }

    // A strong impulse (the pole, >= 4 x tolerance within 10 bars) followed by a tight, counter-drifting consolidation
    // of 4-20 bars; of all the (pole, flag) splits that qualify, the one with the tallest pole wins.
    private static void Flag(IReadOnlyList<Bar> bars, double tol, bool bull, List<DetectedPattern> found)
    {
        var n = bars.Count;
        var sign = bull ? 1 : -1;
        DetectedPattern? best = null;
        var bestHeight = 0.0;
        for (var flagLen = 4; flagLen <= Math.Min(20, n / 3); flagLen++)
        {
            var poleEnd = n - 1 - flagLen;
            var (start, height) = (-1, 0.0);
            for (var s = Math.Max(0, poleEnd - 10); s < poleEnd - 1; s++)
            {
                var h = sign * (bars[poleEnd].Close - bars[s].Close);
                if (h > height)
                {
                    (start, height) = (s, h);
                }
            }
            if (start < 0 || height < 4 * tol || height <= bestHeight)
            {
                continue;
            }
            var flag = Enumerable.Range(poleEnd + 1, flagLen).Select(i => bars[i]).ToList();
            var range = flag.Max(b => b.High) - flag.Min(b => b.Low);
            var fit = BarMath.Fit(flag.Select((b, i) => ((double)i, b.Close)).ToList());
            var drift = sign * fit.Slope * flagLen;
            var retrace = sign * (bars[poleEnd].Close - bars[^1].Close);
            if (range > 0.5 * height || drift > 0.1 * height || drift < -0.5 * height || retrace > 0.5 * height)
            {
                continue;
            }
            var tight = 1 - range / (0.5 * height);
            var confidence = 0.45 + 0.2 * Math.Min(1, height / (8 * tol)) + 0.2 * tight + (flagLen >= 6 ? 0.05 : 0);
            bestHeight = height;
            best = new DetectedPattern(bull ? "bull_flag" : "bear_flag", bull ? "bullish" : "bearish", Round(confidence),
                "forming", start, n - 1,
                new Dictionary<string, double> { ["poleStart"] = bars[start].Close, ["poleEnd"] = bars[poleEnd].Close,
                    ["flagHigh"] = flag.Max(b => b.High), ["flagLow"] = flag.Min(b => b.Low),
                    ["target"] = bars[^1].Close + sign * height },
                $"A {(bull ? "rise" : "drop")} of {Fmt(height)} in {poleEnd - start} bars, then {flagLen} bars of tight consolidation.");
        }
        if (best is not null)
        {
            found.Add(best);
        }
    }

    private static bool Exceeded(IReadOnlyList<Bar> bars, int from, double level, bool above)
    {
        for (var i = from; i < bars.Count; i++)
        {
            if (above ? bars[i].High > level : bars[i].Low < level)
            {
                return true;
            }
        }
        return false;
    }

    private static double Round(double confidence) => Math.Round(Math.Clamp(confidence, 0.05, 0.95), 2);

    private static string Fmt(double v) => v.ToString(v >= 100 ? "0.##" : "0.#####", System.Globalization.CultureInfo.InvariantCulture);
}
