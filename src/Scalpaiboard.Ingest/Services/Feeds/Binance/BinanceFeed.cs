using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Scalpaiboard.Ingest.Infrastructure;
using Scalpaiboard.Market.Data;
using Scalpaiboard.Ingest.Model;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Bars;

namespace Scalpaiboard.Ingest.Services.Feeds.Binance;

/// <summary>
/// Live Binance USDT-M futures. Start: exchangeInfo (TRADING USDT perpetuals, or <c>Ingest:Symbols</c>), the
/// kline streams opened first (so nothing falls between), then a REST backfill of the last 1441 minutes (or since
/// the last stored candle). Live: closed klines (<c>"x": true</c>) are batched per open time (all symbols, or after
/// <c>BatchWaitSeconds</c>); before a symbol's candle is delivered, any minutes it misses (a drop, a reconnect, a
/// silent stream) are fetched over REST, so no closed candle is lost. Forming klines and partial depth go to memory.
/// A symbol with nothing stored is first seeded with <c>Ingest:SeedDays</c> of closed 4h klines (8h and 1d aggregated
/// from them; from <c>ingest.bars</c> when they are there), and its 1m backfill then starts at that UTC day's start so
/// that its first 1d bar is whole.
/// Derivatives: <c>!markPrice@arr@1s</c> (mark price, funding rate, next funding time) and <c>!forceOrder@arr</c>
/// (liquidations) on a connection of their own, and the open interest, long/short ratios and funding history of
/// <see cref="DerivativesPoller"/>, backfilled before the candles and polled every 5 minutes. Streams go to Binance's
/// routes: klines and the derivatives streams under <c>/market</c>, partial depth under <c>/public</c>.
/// </summary>
public sealed partial class BinanceFeed(
    IOptions<IngestOptions> options,
    MarketState state,
    BarSeeder seeder,
    DerivativesStore derivativesStore,
    TimeProvider time,
    ILogger<BinanceFeed> logger) : IMarketFeed
{
    /// <summary>Shown with liquidation totals (feed status <c>liquidationsNote</c>).</summary>
    public const string LiquidationsNote =
        "Binance reports at most one liquidation per symbol per second (the latest), so liquidation totals are a lower bound.";

    private const int HistoryMinutes = 1441;
    private readonly Channel<object> _events = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, long> _lastDelivered = new(StringComparer.Ordinal);
    private readonly HashSet<string> _needsRepair = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _historyStart = new(StringComparer.Ordinal);
    private IFeedSink _sink = null!;
    private BinanceRestClient _rest = null!;
    private string[] _symbols = [];
    private HashSet<string> _tracked = new(StringComparer.Ordinal);

    public string Name => FeedKinds.Binance;

    private sealed record ClosedKline(string Symbol, Candle Candle);

    private sealed record Reconnected(IReadOnlyList<string> Symbols);

    public async Task RunAsync(IFeedSink sink, IReadOnlyDictionary<string, long> lastStored, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var b = o.Binance;
        _sink = sink;
        using var http = new HttpClient { BaseAddress = new Uri(b.RestUrl.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(30) };
        var limiter = new RequestWeightLimiter(time, b.DefaultWeightLimit, b.WeightBudgetFraction);
        _rest = new BinanceRestClient(http, limiter, time, b.DataRequestsPerFiveMinutes, b.FundingRequestsPerFiveMinutes);
        sink.Status.RealTime = true;

        var info = await _rest.GetExchangeInfoAsync(cancellationToken);
        var tradable = info.Symbols
            .Where(s => s.Status == "TRADING" && s.ContractType == "PERPETUAL" && s.QuoteAsset == "USDT")
            .Select(s => s.Symbol).ToHashSet(StringComparer.Ordinal);
        var wanted = o.SymbolList();
        if (wanted is not null)
        {
            foreach (var missing in wanted.Where(w => !tradable.Contains(w)))
            {
                LogUnknownSymbol(logger, missing);
            }
        }
        _symbols = (wanted?.Where(tradable.Contains) ?? tradable).Order(StringComparer.Ordinal).ToArray();
        if (_symbols.Length == 0)
        {
            throw new InvalidOperationException("No TRADING USDT-margined perpetual matches Ingest:Symbols.");
        }
        _tracked = _symbols.ToHashSet(StringComparer.Ordinal);
        sink.SetSymbols(_symbols);
        sink.Status.WeightLimit = limiter.Limit;
        foreach (var s in _symbols)
        {
            _lastDelivered[s] = lastStored.TryGetValue(s, out var t) ? t : long.MinValue;
        }
        LogStarting(logger, _symbols.Length, limiter.Limit);
        await SeedAsync(o.SeedDays, cancellationToken);

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var ct = linked.Token;
        // Binance routes USDT-M streams by kind (the single legacy path was retired on 2026-04-23).
        var root = b.StreamUrl.TrimEnd('/') + "/";
        var market = new Uri(root + "market/");
        var connections = new List<BinanceStreamConnection>();
        foreach (var chunk in _symbols.Chunk(b.StreamsPerConnection))
        {
            var streams = chunk.Select(s => s.ToLowerInvariant() + "@kline_1m").ToArray();
            var symbols = chunk;
            connections.Add(new BinanceStreamConnection($"klines-{connections.Count}", market, streams, b, OnMessage,
                () => _events.Writer.TryWrite(new Reconnected(symbols)), sink.Status, time, logger));
        }
        var derivatives = new BinanceStreamConnection("derivatives", market, [DerivativesFrames.MarkPriceStream, DerivativesFrames.ForceOrderStream],
            b, OnMessage, () => { }, sink.Status, time, logger, quietStreams: [DerivativesFrames.ForceOrderStream]);
        var depth = new BinanceStreamConnection("depth", new Uri(root + "public/"), [], b, OnMessage, () => { }, sink.Status, time, logger);
        BinanceStreamConnection[] all = [.. connections, derivatives, depth];
        var tasks = all.Select(c => c.RunAsync(ct)).ToList();
        tasks.Add(TrackLiquidationsAsync(derivatives, ct));
        tasks.Add(ManageDepthAsync(depth, ct));
        tasks.Add(ReportAsync(all, limiter, ct));
        try
        {
            // Derivatives history first, so the backfilled candles' closes read it; then the candles, after the streams
            // are up: what closes meanwhile waits in the channel.
            var poller = new DerivativesPoller(_rest, _symbols, sink.OnDerivatives, time, logger);
            await poller.BackfillAsync(await derivativesStore.LastOpenInterestTimesAsync(ct), ct);
            tasks.Add(poller.RunAsync(ct));
            await DeliverHistoryAsync(_symbols, LastClosedMinute(), ct);
            sink.Status.State = FeedStates.Running;
            await DeliverLiveAsync(ct);
        }
        finally
        {
            await linked.CancelAsync();
            try { await Task.WhenAll(tasks); } catch (OperationCanceledException) { }
        }
    }

    /// <summary>
    /// Seeds every symbol without stored candles with the closed 4h klines before the start of its 1m backfill (a UTC
    /// day start), through the weight limiter; 8h and 1d are aggregated from them. Bars already in the table are used
    /// instead of fetching.
    /// </summary>
    private async Task SeedAsync(int days, CancellationToken cancellationToken)
    {
        if (days == 0)
        {
            return;
        }
        var start = Timeframe.D1.AlignedOpen(LastClosedMinute() - ((HistoryMinutes - 1) * Candle.MinuteMs));
        var fresh = new List<string>();
        foreach (var s in _symbols)
        {
            if (_lastDelivered[s] != long.MinValue)
            {
                continue;
            }
            // A run after a failed one keeps the start its seeds were made for.
            _historyStart.TryAdd(s, start);
            if (!seeder.CanSeed(s))
            {
                continue;
            }
            if (await seeder.SeedFromStoreAsync(s, _historyStart[s], cancellationToken) == 0)
            {
                fresh.Add(s);
            }
        }
        var fetched = new List<Candle>[fresh.Count];
        await Parallel.ForAsync(0, fresh.Count, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            fetched[i] = await _rest.GetClosedBarsBeforeAsync(fresh[i], "4h", Timeframe.H4.DurationMs(), _historyStart[fresh[i]], days * 6, ct);
        });
        // One at a time: the engine is not thread-safe.
        for (var i = 0; i < fresh.Count; i++)
        {
            await seeder.StoreAndSeedAsync(fresh[i], fetched[i], _historyStart[fresh[i]], cancellationToken);
        }
        if (fresh.Count > 0)
        {
            LogSeeded(logger, fresh.Count, days);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded {Symbols} symbols with up to {Days} days of 4h klines (8h and 1d aggregated)")]
    private static partial void LogSeeded(ILogger logger, int symbols, int days);

    private long LastClosedMinute()
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        return now - now % Candle.MinuteMs - Candle.MinuteMs;
    }

    /// <summary>Fetches over REST whatever each symbol lacks up to <paramref name="upTo"/> and delivers it in time order.</summary>
    private async Task DeliverHistoryAsync(IReadOnlyList<string> symbols, long upTo, CancellationToken cancellationToken)
    {
        var earliest = upTo - (HistoryMinutes - 1) * Candle.MinuteMs;
        var fetched = new List<Candle>[symbols.Count];
        await Parallel.ForAsync(0, symbols.Count, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var last = _lastDelivered[symbols[i]];
            var from = last != long.MinValue ? Math.Max(earliest, last + Candle.MinuteMs)
                : _historyStart.TryGetValue(symbols[i], out var seededFrom) ? seededFrom : earliest;
            fetched[i] = from > upTo ? [] : await _rest.GetClosedKlinesAsync(symbols[i], from, upTo, ct);
        });
        var byTime = new SortedDictionary<long, List<SymbolCandle>>();
        for (var i = 0; i < symbols.Count; i++)
        {
            foreach (var c in fetched[i])
            {
                if (!byTime.TryGetValue(c.OpenTime, out var list))
                {
                    byTime[c.OpenTime] = list = [];
                }
                list.Add(new SymbolCandle(symbols[i], c));
            }
        }
        foreach (var (openTime, list) in byTime)
        {
            await DeliverAsync(openTime, list, cancellationToken);
        }
        foreach (var s in symbols)
        {
            _needsRepair.Remove(s);
        }
    }

    /// <summary><see cref="DeliverHistoryAsync"/>, but a failing REST call is logged and reported instead of thrown.</summary>
    private async Task<bool> TryDeliverHistoryAsync(IReadOnlyList<string> symbols, long upTo, CancellationToken cancellationToken)
    {
        try
        {
            await DeliverHistoryAsync(symbols, upTo, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogRestFailed(logger, ex.Message);
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            return false;
        }
    }

    private async Task DeliverAsync(long openTime, List<SymbolCandle> candles, CancellationToken cancellationToken)
    {
        var fresh = new List<SymbolCandle>(candles.Count);
        foreach (var sc in candles)
        {
            if (sc.Candle.OpenTime > _lastDelivered[sc.Symbol])
            {
                fresh.Add(sc);
                _lastDelivered[sc.Symbol] = sc.Candle.OpenTime;
            }
        }
        if (fresh.Count > 0)
        {
            await _sink.OnClosedAsync(openTime, fresh, cancellationToken);
        }
    }

    private async Task DeliverLiveAsync(CancellationToken cancellationToken)
    {
        var pending = new SortedDictionary<long, (Dictionary<string, Candle> Candles, long FirstSeen)>();
        var wait = TimeSpan.FromSeconds(options.Value.Binance.BatchWaitSeconds);
        var lastCheck = time.GetTimestamp();
        var reader = _events.Reader;
        while (!cancellationToken.IsCancellationRequested)
        {
            using (var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                tick.CancelAfter(TimeSpan.FromMilliseconds(100));
                try
                {
                    await reader.WaitToReadAsync(tick.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                }
            }
            while (reader.TryRead(out var e))
            {
                switch (e)
                {
                    case ClosedKline k when _lastDelivered.TryGetValue(k.Symbol, out var last) && k.Candle.OpenTime > last:
                        if (!pending.TryGetValue(k.Candle.OpenTime, out var slot))
                        {
                            pending[k.Candle.OpenTime] = slot = (new Dictionary<string, Candle>(StringComparer.Ordinal), time.GetTimestamp());
                        }
                        slot.Candles[k.Symbol] = k.Candle;
                        break;
                    case Reconnected r:
                        _needsRepair.UnionWith(r.Symbols);
                        break;
                }
            }
            // Deliver complete (or timed-out) minutes, oldest first, repairing gaps before each.
            while (pending.Count > 0)
            {
                var (openTime, slot) = pending.First();
                if (slot.Candles.Count < _symbols.Length && time.GetElapsedTime(slot.FirstSeen) < wait)
                {
                    break;
                }
                var gaps = slot.Candles.Keys.Where(s => _lastDelivered[s] != long.MinValue && _lastDelivered[s] < openTime - Candle.MinuteMs).ToArray();
                if (gaps.Length > 0)
                {
                    LogRepair(logger, gaps.Length, openTime);
                    if (!await TryDeliverHistoryAsync(gaps, openTime - Candle.MinuteMs, cancellationToken))
                    {
                        // REST is unavailable: keep the minute (and everything after it) until the gap can be filled.
                        break;
                    }
                }
                pending.Remove(openTime);
                await DeliverAsync(openTime, slot.Candles.Select(kv => new SymbolCandle(kv.Key, kv.Value)).ToList(), cancellationToken);
            }
            // Symbols whose connection came back, or whose stream is behind, are caught up over REST.
            if (time.GetElapsedTime(lastCheck) > TimeSpan.FromSeconds(1))
            {
                lastCheck = time.GetTimestamp();
                var upTo = LastClosedMinute() - Candle.MinuteMs;
                var behind = _symbols.Where(s => _needsRepair.Contains(s) || (_lastDelivered[s] < upTo - Candle.MinuteMs)).ToArray();
                var firstPending = pending.Count > 0 ? pending.First().Key : long.MaxValue;
                upTo = Math.Min(upTo, firstPending - Candle.MinuteMs);
                if (behind.Length > 0 && behind.Any(s => _lastDelivered[s] < upTo))
                {
                    await TryDeliverHistoryAsync(behind, upTo, cancellationToken);
                }
            }
        }
    }

    private void OnMessage(ReadOnlyMemory<byte> frame)
    {
        try
        {
            using var doc = JsonDocument.Parse(frame);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out _) && root.TryGetProperty("result", out _))
            {
                return; // a SUBSCRIBE/UNSUBSCRIBE answer
            }
            var stream = root.GetProperty("stream").GetString() ?? throw new FormatException("no stream");
            var data = root.GetProperty("data");
            if (stream.EndsWith("@kline_1m", StringComparison.Ordinal))
            {
                var k = data.GetProperty("k");
                var symbol = k.GetProperty("s").GetString()!;
                var candle = new Candle(k.GetProperty("t").GetInt64(), D(k, "o"), D(k, "h"), D(k, "l"), D(k, "c"), D(k, "v"), D(k, "q"),
                    k.GetProperty("n").GetInt64(), D(k, "V"), D(k, "Q"));
                if (candle.OpenTime % Candle.MinuteMs != 0 || !(candle.High >= candle.Low))
                {
                    throw new FormatException("inconsistent kline");
                }
                if (k.GetProperty("x").GetBoolean())
                {
                    _events.Writer.TryWrite(new ClosedKline(symbol, candle));
                }
                else
                {
                    _sink.OnForming(symbol, candle);
                }
            }
            else if (stream.Contains("@depth", StringComparison.Ordinal))
            {
                var symbol = data.GetProperty("s").GetString()!;
                var eventTime = data.TryGetProperty("E", out var et) ? et.GetInt64() : time.GetUtcNow().ToUnixTimeMilliseconds();
                _sink.OnOrderBook(new OrderBookSnapshot(symbol, eventTime, Levels(data.GetProperty("b")), Levels(data.GetProperty("a")), Synthetic: false));
            }
            else if (stream == DerivativesFrames.MarkPriceStream)
            {
                // One message (every symbol's second) is one call.
                var updates = DerivativesFrames.MarkPrices(data, _tracked);
                if (updates.Count > 0)
                {
                    _sink.OnDerivatives(updates);
                }
            }
            else if (stream == DerivativesFrames.ForceOrderStream)
            {
                var updates = DerivativesFrames.ForceOrders(data, _tracked);
                if (updates.Count > 0)
                {
                    _sink.OnDerivatives(updates);
                }
            }
            else
            {
                throw new FormatException("unknown stream " + stream);
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or OverflowException)
        {
            _sink.Status.AddMalformedFrame();
            LogMalformed(logger, ex.Message);
        }
    }

    private static double D(JsonElement e, string name)
    {
        var v = e.GetProperty(name);
        return v.ValueKind == JsonValueKind.Number ? v.GetDouble()
            : double.Parse(v.GetString() ?? throw new FormatException(name), NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private static BookLevel[] Levels(JsonElement side)
    {
        var levels = new BookLevel[side.GetArrayLength()];
        var i = 0;
        foreach (var l in side.EnumerateArray())
        {
            levels[i++] = new BookLevel(
                double.Parse(l[0].GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture),
                double.Parse(l[1].GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture));
        }
        return levels;
    }

    /// <summary>Once the liquidation stream is subscribed, windows without a liquidation total 0 instead of unavailable.</summary>
    private async Task TrackLiquidationsAsync(BinanceStreamConnection derivatives, CancellationToken cancellationToken)
    {
        await derivatives.FirstConnect.WaitAsync(cancellationToken);
        _sink.TrackLiquidations();
        _sink.Status.LiquidationsNote = LiquidationsNote;
    }

    /// <summary>Subscribes partial depth for the symbols clients watch and drops the ones nobody asked for lately.</summary>
    private async Task ManageDepthAsync(BinanceStreamConnection depth, CancellationToken cancellationToken)
    {
        var subscribed = new HashSet<string>(StringComparer.Ordinal);
        var known = _symbols.ToHashSet(StringComparer.Ordinal);
        var idle = TimeSpan.FromSeconds(options.Value.Binance.DepthIdleSeconds).TotalMilliseconds;
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var wanted = state.WatchedBooks.Where(kv => known.Contains(kv.Key) && now - kv.Value <= idle)
                .Select(kv => kv.Key.ToLowerInvariant() + "@depth20@100ms").Take(options.Value.Binance.StreamsPerConnection).ToHashSet(StringComparer.Ordinal);
            var add = wanted.Except(subscribed).ToArray();
            var drop = subscribed.Except(wanted).ToArray();
            if (add.Length > 0)
            {
                depth.Subscribe(add);
                subscribed.UnionWith(add);
            }
            if (drop.Length > 0)
            {
                depth.Unsubscribe(drop);
                subscribed.ExceptWith(drop);
            }
        }
    }

    private async Task ReportAsync(BinanceStreamConnection[] connections, RequestWeightLimiter limiter, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            _sink.Status.Connections = connections.Count(c => c.Connected);
            _sink.Status.WeightUsed = limiter.Used;
            _sink.Status.WeightLimit = limiter.Limit;
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Binance feed: {Symbols} symbols, request weight limit {Limit}/min")]
    private static partial void LogStarting(ILogger logger, int symbols, int limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest:Symbols names {Symbol}, which is not a TRADING USDT-margined perpetual")]
    private static partial void LogUnknownSymbol(ILogger logger, string symbol);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backfilling the gap of {Count} symbols before {OpenTime} over REST")]
    private static partial void LogRepair(ILogger logger, int count, long openTime);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Binance REST backfill failed: {Error}; retrying")]
    private static partial void LogRestFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Malformed Binance frame skipped: {Error}")]
    private static partial void LogMalformed(ILogger logger, string error);
}
