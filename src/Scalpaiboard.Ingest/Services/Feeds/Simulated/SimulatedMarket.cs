using Scalpaiboard.Market;

namespace Scalpaiboard.Ingest.Services.Feeds.Simulated;

/// <summary>
/// The simulated market's math: a pure function of (seed, symbol, minute, previous close), so the same seed gives
/// the same market and a restart continues from the stored close. Each symbol has a role:
/// <list type="bullet">
/// <item>20 "trenders" follow a 72 h triangle wave (±9 %/day) and, in their hour slot (every 4th hour), run a
/// volume-backed surge hour in the direction of the trend (+2.1 %, the last 15 minutes strongest), then give it
/// back over two hours: this fires 60 Big Bull/Bear and 15 Big Bull/Bear.</item>
/// <item>30 symbols in six roles of five run a short episode every 5th hour, ending at minute 50: a pump or dump
/// (Pioneer), a steady climb with a final volume burst (5 Big), a sell-off with a V-shaped bounce (Bottom/Top
/// Hunter), each followed by a slow reversal.</item>
/// </list>
/// The slots are staggered so that in every UTC clock hour each of the ten presets fires for some symbol.
/// Everything else is noise: 0.03 % per minute, log-normal volume.
/// </summary>
public sealed class SimulatedMarket
{
    public const int Trenders = 20;
    /// <summary>The standard deviation of a quiet minute's log return.</summary>
    public const double Noise = 0.0003;
    private const double TrendPerMinute = 0.09 / 1440;
    private const long PeriodMinutes = 72 * 60;
    private const long HalfPeriod = PeriodMinutes / 2;
    private const long ReadyAfter = 20 * 60;

    private readonly int _seed;
    private readonly int[] _role;
    private readonly int[] _slot;

    public SimulatedMarket(int seed, int symbolCount = 50)
    {
        _seed = seed;
        Symbols = SimulatedSymbols.All[..Math.Clamp(symbolCount, 1, SimulatedSymbols.All.Length)];
        // A seeded permutation assigns roles, so different seeds give different markets.
        var order = Enumerable.Range(0, SimulatedSymbols.All.Length).ToArray();
        var rng = new SplitMix((ulong)seed * 0x9E3779B97F4A7C15UL + 17);
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = (int)(rng.NextUInt64() % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        _role = new int[order.Length];
        _slot = new int[order.Length];
        for (var p = 0; p < order.Length; p++)
        {
            var symbol = order[p];
            if (p < Trenders)
            {
                _role[symbol] = -1;
                _slot[symbol] = p; // class p % 4, phase index p / 4
            }
            else
            {
                _role[symbol] = (p - Trenders) % 6;
                _slot[symbol] = (p - Trenders) / 6;
            }
        }
    }

    public IReadOnlyList<SimulatedSymbol> Symbols { get; }

    /// <summary>
    /// The 1m candle of <paramref name="symbol"/> (index into <see cref="Symbols"/>) opening at minute
    /// <paramref name="minute"/> (Unix minutes), as it stands after <paramref name="seconds"/> seconds (60 = closed).
    /// </summary>
    public Candle Generate(int symbol, long minute, double previousClose, int seconds = 60)
    {
        var rng = new SplitMix(SplitMix.Mix((ulong)_seed, (ulong)(minute * 64 + symbol)));
        var (total, perMinute, takerShare) = Flow(symbol, minute, ref rng);
        // The minute's path: 60 steps that add up to the minute's return (a Brownian bridge).
        Span<double> steps = stackalloc double[60];
        double sum = 0;
        for (var i = 0; i < 60; i++)
        {
            steps[i] = rng.NextGaussian() * Noise / Math.Sqrt(60) * 1.5;
            sum += steps[i];
        }
        var correction = (total - sum) / 60;
        double logPrice = 0, high = 0, low = 0, weightSum = 0, weightSeen = 0;
        Span<double> weights = stackalloc double[60];
        for (var i = 0; i < 60; i++)
        {
            weights[i] = 0.2 + rng.NextDouble();
            weightSum += weights[i];
        }
        var n = Math.Clamp(seconds, 1, 60);
        for (var i = 0; i < n; i++)
        {
            logPrice += steps[i] + correction;
            high = Math.Max(high, logPrice);
            low = Math.Min(low, logPrice);
            weightSeen += weights[i];
        }
        var open = previousClose;
        var close = open * Math.Exp(logPrice);
        var quote = perMinute * weightSeen / weightSum;
        var mid = (open + close) / 2;
        var baseVolume = quote / mid;
        var trades = (long)Math.Max(1, quote / (250 + 50 * (symbol % 7)));
        return new Candle(minute * Candle.MinuteMs, RoundPrice(open), RoundPrice(open * Math.Exp(high)), RoundPrice(open * Math.Exp(low)),
            RoundPrice(close), Math.Round(baseVolume, 4), Math.Round(quote, 2), trades,
            Math.Round(baseVolume * takerShare, 4), Math.Round(quote * takerShare, 2));
    }

    /// <summary>
    /// What a symbol's minute adds up to, without its path: the log return from open to close, the quote volume and
    /// the share of it bought by takers. <see cref="Generate"/> builds the closed candle from exactly these (before
    /// rounding); the derivatives (<see cref="SimulatedDerivatives"/>) read them for minutes no candle is made for.
    /// </summary>
    public MinuteFlow Flow(int symbol, long minute)
    {
        var rng = new SplitMix(SplitMix.Mix((ulong)_seed, (ulong)(minute * 64 + symbol)));
        return Flow(symbol, minute, ref rng);
    }

    private MinuteFlow Flow(int symbol, long minute, ref SplitMix rng)
    {
        var (drift, volumeFactor) = Regime(symbol, minute);
        var total = drift + Noise * rng.NextGaussian();
        var perMinute = Symbols[symbol].DailyQuoteVolume / 1440 * volumeFactor * Math.Exp(0.2 * rng.NextGaussian() - 0.02);
        return new MinuteFlow(total, perMinute, 0.5 + Math.Clamp(total * 200, -0.2, 0.2));
    }

    /// <summary>Drift (log return) and volume multiplier of a symbol's minute.</summary>
    public (double Drift, double VolumeFactor) Regime(int symbol, long minute)
    {
        var role = _role[symbol];
        var slot = _slot[symbol];
        if (role < 0)
        {
            var drift = TrendSlope(slot, minute);
            var volume = 1.0;
            var hour = FloorDiv(minute, 60);
            for (var back = 0; back <= 2; back++)
            {
                var h = hour - back;
                var direction = SurgeDirection(slot, h);
                if (direction == 0)
                {
                    continue;
                }
                var d = minute - h * 60; // 0..179
                if (d < 45)
                {
                    drift += direction * 0.006 / 45;
                    volume = 2;
                }
                else if (d < 60)
                {
                    drift += direction * 0.015 / 15;
                    volume = 10;
                }
                else
                {
                    drift -= direction * 0.021 / 120;
                }
            }
            return (drift, volume);
        }
        // Short episodes: trigger candle at minute 50 of every 5th hour.
        var triggerHour = FloorDiv(minute + 14, 60);
        for (var h = triggerHour; h >= triggerHour - 2; h--)
        {
            if (Mod(h, 5) != slot)
            {
                continue;
            }
            var d = minute - (h * 60 + 50);
            var e = Episode(role, d);
            if (e.HasValue)
            {
                return e.Value;
            }
        }
        return (0, 1);
    }

    private static (double, double)? Episode(int role, long d)
    {
        switch (role)
        {
            case 0 or 1: // Pioneer: a 5-minute pump (dump) on 5x volume.
            {
                var sign = role == 0 ? 1 : -1;
                if (d is >= -4 and <= 0) return (sign * 0.0035, 5);
                if (d is >= 1 and <= 60) return (-sign * 0.0175 / 60, 1.2);
                return null;
            }
            case 2 or 3: // 5 Big: an hour's climb (fall) with a final 5-minute burst.
            {
                var sign = role == 2 ? 1 : -1;
                if (d is >= -64 and <= -5) return (sign * 0.0006, 1.5);
                if (d is >= -4 and <= 0) return (sign * 0.002, 6);
                if (d is >= 1 and <= 100) return (-sign * 0.046 / 100, 1);
                return null;
            }
            case 4 or 5: // Bottom (top) hunter: a slide, a flush, then a V-shaped bounce on volume.
            {
                var sign = role == 4 ? 1 : -1;
                if (d is >= -59 and <= -15) return (-sign * 0.0004, 1);
                if (d is >= -14 and <= -5) return (-sign * 0.002, 2);
                if (d is >= -4 and <= 0) return (sign * 0.0016, 8);
                if (d is >= 1 and <= 100) return (sign * 0.030 / 100, 1);
                return null;
            }
            default:
                return null;
        }
    }

    private static long Phase(int slot) => (slot / 4) * 864 + (slot % 4) * 216;

    /// <summary>Position in the 72 h triangle wave: minutes since the last turn and whether it is rising.</summary>
    private static (long SinceTurn, bool Rising) Wave(int slot, long minute)
    {
        var x = Mod(minute + Phase(slot), PeriodMinutes);
        return x < HalfPeriod ? (x, true) : (x - HalfPeriod, false);
    }

    private static double TrendSlope(int slot, long minute) => Wave(slot, minute).Rising ? TrendPerMinute : -TrendPerMinute;

    /// <summary>+1/-1 when trender <paramref name="slot"/> runs a surge hour at <paramref name="hour"/>, else 0.</summary>
    private int SurgeDirection(int slot, long hour)
    {
        var cls = (int)Mod(hour, 4);
        if (slot % 4 != cls)
        {
            return 0;
        }
        var start = hour * 60;
        int? bull = null, bear = null;
        for (var j = 0; j < Trenders / 4; j++)
        {
            var candidate = j * 4 + cls;
            var (since, rising) = Wave(candidate, start);
            if (since >= ReadyAfter && since + 60 <= HalfPeriod)
            {
                if (rising) bull ??= candidate;
                else bear ??= candidate;
            }
        }
        return slot == bull ? 1 : slot == bear ? -1 : 0;
    }

    internal static double RoundPrice(double price)
    {
        var step = OrderBookSynthesizer.TickSize(price);
        return Math.Round(Math.Round(price / step) * step, 10);
    }

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : (a - b + 1) / b;

    private static long Mod(long a, long b) => ((a % b) + b) % b;
}

/// <summary>A minute's log return (open to close), quote volume and taker-buy share of that volume.</summary>
public readonly record struct MinuteFlow(double Return, double QuoteVolume, double TakerShare);
