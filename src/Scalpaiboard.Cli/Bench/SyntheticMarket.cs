using Scalpaiboard.Market;

namespace Scalpaiboard.Cli.Bench;

/// <summary>
/// A seeded synthetic market of 1m candles: per symbol a random walk with occasional pumps and dumps on heavier
/// volume (so presets do fire), volumes log-normal around a per-symbol level.
/// </summary>
public sealed class SyntheticMarket
{
    private readonly Random _rng;
    private readonly double[] _price;
    private readonly double[] _volumeLevel;
    private readonly int[] _regimeLeft;
    private readonly double[] _drift;

    public SyntheticMarket(int symbols, long startTime, int seed = 42)
    {
        _rng = new Random(seed);
        Symbols = new string[symbols];
        _price = new double[symbols];
        _volumeLevel = new double[symbols];
        _regimeLeft = new int[symbols];
        _drift = new double[symbols];
        for (var s = 0; s < symbols; s++)
        {
            Symbols[s] = $"SYN{s:D4}USDT";
            _price[s] = Math.Pow(10, _rng.NextDouble() * 5 - 1);
            _volumeLevel[s] = Math.Pow(10, 4 + _rng.NextDouble() * 1.5);
        }
        NextOpenTime = startTime;
    }

    public string[] Symbols { get; }

    public long NextOpenTime { get; private set; }

    /// <summary>The next minute's candle of every symbol, written into <paramref name="candles"/>.</summary>
    public void NextMinute(Span<Candle> candles)
    {
        var t = NextOpenTime;
        for (var s = 0; s < candles.Length; s++)
        {
            if (_regimeLeft[s] == 0 && _rng.Next(400) == 0)
            {
                _regimeLeft[s] = 5 + _rng.Next(40);
                _drift[s] = (_rng.NextDouble() - 0.5) * 0.012;
            }
            var regime = _regimeLeft[s] > 0;
            if (regime)
            {
                _regimeLeft[s]--;
            }
            var open = _price[s];
            var ret = (regime ? _drift[s] : 0) + Normal() * 0.0012;
            var close = open * Math.Exp(ret);
            var high = Math.Max(open, close) * (1 + Math.Abs(Normal()) * 0.0006);
            var low = Math.Min(open, close) * (1 - Math.Abs(Normal()) * 0.0006);
            var quote = _volumeLevel[s] * (regime ? 6 : 1) * Math.Exp(Normal() * 0.35);
            var volume = quote / ((open + close) / 2);
            candles[s] = new Candle(t, open, high, low, close, volume, quote, 1 + (long)(quote / 500), volume / 2, quote / 2);
            _price[s] = close;
        }
        NextOpenTime = t + Candle.MinuteMs;
    }

    private double Normal()
    {
        var u1 = 1.0 - _rng.NextDouble();
        var u2 = _rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
