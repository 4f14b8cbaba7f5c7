using Scalpaiboard.Market;
using Scalpaiboard.Market.Derivatives;
using Scalpaiboard.Market.Metrics;

namespace Scalpaiboard.Alerts.Tests.Benchmarks;

/// <summary>
/// A seeded market of many symbols run through the real market engine (windows, indicators on every timeframe),
/// whose per-minute snapshots are written as the ingest publishes them on <c>market.metrics</c>: the binary
/// <see cref="MetricsFrame"/> of the shared <see cref="MetricsFrameWriter"/> (about 1.1 KB per symbol).
/// Prices random-walk; now and then a symbol enters a pump or dump regime with heavier volume, so the presets fire
/// a handful of times per minute across 500 symbols. With <c>derivatives</c>, the engine also gets open interest every
/// 5 minutes, a funding rate every minute and now and then a liquidation (from a random source of their own, so the
/// prices are the same with or without).
/// </summary>
public sealed class SyntheticMarket
{
    private readonly MarketEngine _engine = new();
    private readonly MetricsFrameWriter _frame = new();
    private readonly Random _random;
    private readonly string[] _symbols;
    private readonly double[] _price;
    private readonly double[] _volume;
    private readonly int[] _regimeLeft;
    private readonly double[] _drift;

    private readonly double _regimeRate;
    private readonly Random? _derivatives;
    private readonly double[] _openInterest;

    /// <param name="regimeRate">Chance per symbol and minute that a pump or dump regime starts (0.002: about one a minute over 500 symbols).</param>
    /// <param name="derivatives">Feed open interest, funding and liquidations to the engine too.</param>
    public SyntheticMarket(int symbols, int seed, long startOpenTime, double regimeRate = 0.002, bool derivatives = false)
    {
        _derivatives = derivatives ? new Random(seed + 1) : null;
        _engine.TracksLiquidations = derivatives;
        _openInterest = derivatives ? Enumerable.Range(0, symbols).Select(_ => 1e6 + (_derivatives!.NextDouble() * 1e8)).ToArray() : [];
        _regimeRate = regimeRate;
        _random = new Random(seed);
        _symbols = Enumerable.Range(0, symbols).Select(i => $"S{i:D3}USDT").ToArray();
        _price = _symbols.Select(_ => Math.Exp(_random.NextDouble() * 10 - 3)).ToArray();
        _volume = _symbols.Select(_ => 20_000 + _random.NextDouble() * 400_000).ToArray();
        _regimeLeft = new int[symbols];
        _drift = new double[symbols];
        OpenTime = startOpenTime;
    }

    public IReadOnlyList<string> Symbols => _symbols;

    /// <summary>Open time of the next candle <see cref="Step"/> produces.</summary>
    public long OpenTime { get; private set; }

    public double Price(int symbol) => _price[symbol];

    /// <summary>Closes one 1m candle for every symbol; returns the ingest's stream entry (the frame) when asked.</summary>
    /// <param name="snapshots">When given, receives a copy of every symbol's engine snapshot (what the frame was written from).</param>
    public byte[]? Step(bool frame, List<MetricsSnapshot>? snapshots = null)
    {
        if (frame)
        {
            _frame.Begin(OpenTime);
        }
        for (var i = 0; i < _symbols.Length; i++)
        {
            if (_regimeLeft[i] == 0 && _random.NextDouble() < _regimeRate)
            {
                _regimeLeft[i] = 5 + _random.Next(15);
                _drift[i] = (_random.NextDouble() < 0.5 ? -1 : 1) * (0.3 + _random.NextDouble() * 0.6) / 100;
            }
            var drift = _regimeLeft[i] > 0 ? _drift[i] : 0;
            var burst = _regimeLeft[i] > 0 ? 5 + _random.NextDouble() * 10 : 1;
            if (_regimeLeft[i] > 0)
            {
                _regimeLeft[i]--;
            }
            var open = _price[i];
            var close = open * (1 + drift + (_random.NextDouble() - 0.5) * 0.004);
            var high = Math.Max(open, close) * (1 + _random.NextDouble() * 0.001);
            var low = Math.Min(open, close) * (1 - _random.NextDouble() * 0.001);
            var quote = _volume[i] * burst * (0.5 + _random.NextDouble());
            var candle = new Candle(OpenTime, open, high, low, close, quote / close, quote, 100 + _random.Next(1000), quote / close / 2, quote / 2);
            _price[i] = close;
            if (_derivatives is not null)
            {
                FeedDerivatives(i, close);
            }
            var update = _engine.OnClosedCandle(_symbols[i], candle);
            if (frame && update.Snapshot is { } s)
            {
                _frame.Add(s, update.Fired.Bits);
                snapshots?.Add(s.Clone());
            }
        }
        OpenTime += 60_000;
        return frame ? _frame.Complete(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).ToArray() : null;
    }

    /// <summary>What the derivatives feeds say during the minute that closes now (all known before the close).</summary>
    private void FeedDerivatives(int i, double price)
    {
        var r = _derivatives!;
        var symbol = _symbols[i];
        if (OpenTime % 300_000 == 0)
        {
            _openInterest[i] *= 1 + ((r.NextDouble() - 0.5) * 0.02);
            _engine.OnDerivatives(DerivativesUpdate.Of(symbol,
                new OpenInterestSample(OpenTime, _openInterest[i] / price, _openInterest[i], 0.5 + r.NextDouble(), 0.5 + r.NextDouble(), 0.5 + r.NextDouble())));
        }
        _engine.OnDerivatives(DerivativesUpdate.Of(symbol, new FundingSample(OpenTime + 1_000, (r.NextDouble() - 0.4) * 0.001)));
        if (r.NextDouble() < 0.2)
        {
            var side = r.NextDouble() < 0.5 ? LiquidationSide.Long : LiquidationSide.Short;
            _engine.OnDerivatives(DerivativesUpdate.Of(symbol, new Liquidation(OpenTime + 30_000, side, price, r.NextDouble() * 50_000 / price)));
        }
    }
}
