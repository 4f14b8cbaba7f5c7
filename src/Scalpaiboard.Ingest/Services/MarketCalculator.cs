using Scalpaiboard.Market;
using Scalpaiboard.Market.Metrics;
using Scalpaiboard.Market.Signals;

namespace Scalpaiboard.Ingest.Services;

/// <summary>
/// The one place the ingest calls the market engine: closed 1m candles in, a <see cref="MetricsSnapshot"/> and
/// the fired presets out. Not thread-safe: the ingest pipeline calls it from one loop.
/// INTERIM: until the market engine (SymbolState/MarketEngine) is on main this computes the rolling windows of
/// SIGNALS.md directly from the last 1441 candles (indicators stay unavailable, no presets fire here).
/// </summary>
public sealed class MarketCalculator
{
    private const int Capacity = 1441;
    private readonly Dictionary<string, History> _symbols = new(StringComparer.Ordinal);

    /// <summary>Candles refused because they were older than the symbol's latest.</summary>
    public long Rejected { get; private set; }

    /// <summary>
    /// Applies a closed candle. Returns false (and leaves <paramref name="snapshot"/> alone) for a candle older than
    /// the latest (rejected) or an exact duplicate of it. A replacement of the latest candle recomputes.
    /// </summary>
    public bool OnClosedCandle(string symbol, in Candle candle, MetricsSnapshot snapshot, List<PresetType> fired)
    {
        fired.Clear();
        if (!_symbols.TryGetValue(symbol, out var h))
        {
            h = new History();
            _symbols[symbol] = h;
        }
        if (h.Count > 0)
        {
            var last = h.Last;
            if (candle.OpenTime < last.OpenTime)
            {
                Rejected++;
                return false;
            }
            if (candle.OpenTime == last.OpenTime)
            {
                if (candle == last)
                {
                    return false;
                }
                h.ReplaceLast(candle);
            }
            else if (candle.OpenTime != last.OpenTime + Candle.MinuteMs)
            {
                // A gap: windows reaching across it are unavailable until history covers them again.
                h.Clear();
                h.Add(candle);
            }
            else
            {
                h.Add(candle);
            }
        }
        else
        {
            h.Add(candle);
        }
        Compute(symbol, h, snapshot);
        return true;
    }

    private static void Compute(string symbol, History h, MetricsSnapshot s)
    {
        var n = h.Count;
        var last = h[n - 1];
        s.Symbol = symbol;
        s.OpenTime = last.OpenTime;
        s.Price = last.Close;
        s.PreviousPrice = n >= 2 ? h[n - 2].Close : double.NaN;
        for (var w = 0; w < Market.Metrics.Windows.Count; w++)
        {
            var minutes = Market.Metrics.Windows.Minutes[w];
            s.Change[w] = n > minutes ? (last.Close / h[n - 1 - minutes].Close - 1) * 100 : double.NaN;
            if (n >= minutes)
            {
                double q = 0, b = 0, hi = double.MinValue, lo = double.MaxValue, trades = 0;
                for (var i = n - minutes; i < n; i++)
                {
                    var c = h[i];
                    q += c.QuoteVolume;
                    b += c.Volume;
                    trades += c.Trades;
                    if (c.High > hi) hi = c.High;
                    if (c.Low < lo) lo = c.Low;
                }
                s.QuoteVolume[w] = q;
                s.BaseVolume[w] = b;
                s.Open[w] = h[n - minutes].Open;
                s.High[w] = hi;
                s.Low[w] = lo;
                s.Trades[w] = trades;
            }
            else
            {
                s.QuoteVolume[w] = s.BaseVolume[w] = s.Open[w] = s.High[w] = s.Low[w] = s.Trades[w] = double.NaN;
            }
        }
    }

    private sealed class History
    {
        private readonly Candle[] _ring = new Candle[Capacity];
        private int _start;

        public int Count { get; private set; }

        public Candle Last => this[Count - 1];

        public Candle this[int i] => _ring[(_start + i) % Capacity];

        public void Add(in Candle c)
        {
            if (Count < Capacity)
            {
                _ring[(_start + Count) % Capacity] = c;
                Count++;
            }
            else
            {
                _ring[_start] = c;
                _start = (_start + 1) % Capacity;
            }
        }

        public void ReplaceLast(in Candle c) => _ring[(_start + Count - 1) % Capacity] = c;

        public void Clear()
        {
            _start = 0;
            Count = 0;
        }
    }
}
