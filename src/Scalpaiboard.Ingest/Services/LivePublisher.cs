using Microsoft.Extensions.Options;
using Scalpaiboard.Ingest.Model;
using Scalpaiboard.Ingest.Services.Feeds.Simulated;

namespace Scalpaiboard.Ingest.Services;

/// <summary>
/// Once per second: the <c>tickers</c> batch (all symbols), the forming bars of symbols whose forming candle moved,
/// and the order books of symbols a client watches. Closed bars and metrics go out from the writer after commit.
/// </summary>
public sealed class LivePublisher(MarketState state, LiveFanout live, IOptions<IngestOptions> options, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan WatchTimeout = TimeSpan.FromMinutes(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        var lastTickers = "";
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var symbols = state.All;
            if (symbols.Count == 0)
            {
                continue;
            }
            var tickers = Tickers(symbols);
            var key = string.Join(';', tickers.Select(t => t.Price));
            if (key != lastTickers)
            {
                lastTickers = key;
                await live.PublishTickersAsync(tickers, stoppingToken);
            }
            foreach (var s in symbols)
            {
                bool dirty;
                lock (s.Gate)
                {
                    dirty = s.FormingDirty;
                    s.FormingDirty = false;
                }
                if (dirty)
                {
                    await live.PublishBarsAsync(s, closedOnly: false, stoppingToken);
                }
            }
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

    public static List<TickerItem> Tickers(IReadOnlyList<SymbolState> symbols)
    {
        var list = new List<TickerItem>(symbols.Count);
        foreach (var s in symbols)
        {
            lock (s.Gate)
            {
                var m = s.MetricsDto;
                double? W(string w, bool volume) => m is null ? null
                    : volume ? m.Windows[w].QuoteVolume : m.Windows[w].Change;
                list.Add(new TickerItem(s.Symbol, SymbolMetrics.N(s.Price), W("5m", false), W("1h", false), W("1d", false), W("1h", true), W("1d", true)));
            }
        }
        return list;
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
            var perMinute = s.MetricsDto?.Windows["1h"].QuoteVolume is { } v ? v / 60 : s.LastClosed?.QuoteVolume ?? 0;
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
