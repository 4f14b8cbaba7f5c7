using Microsoft.Extensions.Options;
using Scalpaiboard.Ingest.Model;
using Scalpaiboard.Ingest.Services.Feeds.Simulated;
using Scalpaiboard.Market.Metrics;

namespace Scalpaiboard.Ingest.Services;

/// <summary>
/// Once per second: the <c>tickers</c> batch (all symbols), the forming bars of symbols whose forming candle moved,
/// and the order books of symbols a client watches. Closed bars and metrics go out from the writer after commit.
/// </summary>
public sealed class LivePublisher(MarketState state, LiveFanout live, IOptions<IngestOptions> options, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan WatchTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The prices of the last tickers batch sent (a batch goes out only when one of them moved), and a scratch array.</summary>
    private double[] _lastPrices = [];
    private double[] _prices = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        var dirty = new List<SymbolState>();
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var symbols = state.All;
            if (symbols.Count == 0)
            {
                continue;
            }
            if (live.Enabled)
            {
                await PublishTickersAsync(symbols, stoppingToken);
            }
            dirty.Clear();
            foreach (var s in symbols)
            {
                lock (s.Gate)
                {
                    if (s.FormingDirty)
                    {
                        s.FormingDirty = false;
                        dirty.Add(s);
                    }
                }
            }
            await live.PublishBarsAsync(dirty, closedOnly: false, stoppingToken);
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var (symbol, watchedAt) in state.WatchedBooks)
            {
                if (now - watchedAt > WatchTimeout.TotalMilliseconds)
                {
                    state.WatchedBooks.TryRemove(symbol, out _);
                    continue;
                }
                if (state.TryGet(symbol, out var s) && CurrentBook(s, options.Value, now) is { } book)
                {
                    await live.PublishOrderBookAsync(ToResponse(book, 100, null), stoppingToken);
                }
            }
        }
    }

    private async Task PublishTickersAsync(IReadOnlyList<SymbolState> symbols, CancellationToken cancellationToken)
    {
        if (_prices.Length != symbols.Count)
        {
            _prices = new double[symbols.Count];
        }
        for (var i = 0; i < symbols.Count; i++)
        {
            lock (symbols[i].Gate)
            {
                _prices[i] = symbols[i].Price;
            }
        }
        if (!SamePrices(_prices, _lastPrices))
        {
            (_lastPrices, _prices) = (_prices, _lastPrices);
            await live.PublishTickersAsync(symbols, cancellationToken);
        }
    }

    /// <summary>One symbol's <see cref="TickerItem"/> values (NaN: unavailable), read from its metrics snapshot (call under its lock).</summary>
    public readonly record struct TickerValues(double Price, double Change5m, double Change1h, double Change1d, double QuoteVolume1h, double QuoteVolume1d);

    /// <summary>The ticker values of a symbol; the window values only once it has metrics and a closed candle. Call under <see cref="SymbolState.Gate"/>.</summary>
    public static TickerValues Ticker(SymbolState s)
    {
        if (s.Metrics is { } m && s.LastClosed is not null)
        {
            return new TickerValues(s.Price, m.Change[(int)Window.M5], m.Change[(int)Window.H1], m.Change[(int)Window.D1],
                m.QuoteVolume[(int)Window.H1], m.QuoteVolume[(int)Window.D1]);
        }
        return new TickerValues(s.Price, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
    }

    /// <summary>Same prices in the same order; unavailable prices (not finite) are all alike.</summary>
    private static bool SamePrices(double[] a, double[] b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }
        for (var i = 0; i < a.Length; i++)
        {
            if (!a[i].Equals(b[i]) && (double.IsFinite(a[i]) || double.IsFinite(b[i])))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The feed's book when it has one (Binance depth), otherwise a synthetic book around the latest price.</summary>
    public static OrderBookSnapshot? CurrentBook(SymbolState s, IngestOptions options, long now)
    {
        lock (s.Gate)
        {
            if (s.Book is { Synthetic: false } real)
            {
                return real;
            }
            if (options.Feed == FeedKinds.Binance)
            {
                return s.Book;
            }
            var hour = s.Metrics is { } m && s.LastClosed is not null ? m.QuoteVolume[(int)Window.H1] : double.NaN;
            var perMinute = double.IsFinite(hour) ? hour / 60 : s.LastClosed?.QuoteVolume ?? 0;
            return OrderBookSynthesizer.Build(s.Symbol, s.Price, perMinute, now, options.Simulated.Seed);
        }
    }

    /// <summary>Cuts a book to <paramref name="depth"/> levels per side, or sums it into price buckets of <paramref name="bucket"/>.</summary>
    public static OrderBookResponse ToResponse(OrderBookSnapshot book, int depth, double? bucket)
    {
        static List<double[]> Side(BookLevel[] levels, int depth, double? bucket, bool bids)
        {
            var result = new List<double[]>(Math.Min(depth, levels.Length));
            if (bucket is not { } step)
            {
                for (var i = 0; i < levels.Length && i < depth; i++)
                {
                    result.Add([levels[i].Price, levels[i].Quantity]);
                }
                return result;
            }
            foreach (var l in levels)
            {
                // Bids round down and asks up, so a bucket never crosses the spread.
                var key = bids ? Math.Floor(l.Price / step) * step : Math.Ceiling(l.Price / step) * step;
                key = Math.Round(key, 10);
                if (result.Count > 0 && result[^1][0] == key)
                {
                    result[^1][1] += l.Quantity;
                }
                else
                {
                    if (result.Count == depth)
                    {
                        break;
                    }
                    result.Add([key, l.Quantity]);
                }
            }
            return result;
        }
        return new OrderBookResponse(book.Symbol, book.Time, bucket, book.Synthetic,
            Side(book.Bids, depth, bucket, bids: true), Side(book.Asks, depth, bucket, bids: false));
    }
}
