using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Scalpaiboard.Infrastructure.Redis;
using Scalpaiboard.Ingest.Model;
using Scalpaiboard.Ingest.Services;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Signals;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Ingest.Tests;

/// <summary>
/// The hand-written live frames (<see cref="LiveFrameWriter"/>) against what <see cref="JsonSerializer"/> writes for the
/// DTOs the live path used before (<see cref="LiveFrame{T}"/> of <see cref="SymbolMetrics"/>, <see cref="LiveCandle"/>,
/// <see cref="TickerItem"/> with <see cref="IngestJson.Options"/>): byte for byte, over states of a real market engine.
/// </summary>
public sealed class LiveFrameWriterTests
{
    private static readonly long T0 = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    /// <summary>
    /// Symbols of very different magnitudes (tiny prices and huge volumes take the runtime's number formatter) and one
    /// that starts in the last minutes, so most of its indicators and windows are unavailable.
    /// </summary>
    private static readonly (string Symbol, double Price, double Volume, int FirstMinute)[] Specs =
    [
        ("BTCUSDT", 64_000.5, 40, 0),
        ("1000PEPEUSDT", 0.00000123, 3e12, 0),
        ("HUGEUSDT", 2_500_000, 4e9, 0),
        ("ETHUSDT", 3_100.25, 900, 200),
        ("NEWUSDT", 5.5, 100, Minutes - 3),
    ];

    private const int Minutes = 1600;

    [Fact]
    public void Metrics_candle_and_ticker_frames_equal_the_serialized_dtos()
    {
        using var writer = new LiveFrameWriter(256); // small: the buffer has to grow on the way
        var calculator = new MarketCalculator();
        var states = Specs.Select(s => new SymbolState(s.Symbol)).ToArray();
        var prices = Specs.Select(s => s.Price).ToArray();
        var random = new Random(11);
        int metricsFrames = 0, withPresets = 0, closedBars = 0, openBars = 0, formingBars = 0, tickerFrames = 0;
        var missing = false;
        for (var m = 0; m < Minutes; m++)
        {
            for (var i = 0; i < Specs.Length; i++)
            {
                if (m < Specs[i].FirstMinute)
                {
                    continue;
                }
                var s = states[i];
                var candle = Next(random, ref prices[i], Specs[i].Volume, T0 + (m * Candle.MinuteMs), spike: m % 97 == 50);
                Assert.True(calculator.TryApply(s.Symbol, candle, out var snapshot, out var bars, out var fired));
                s.ApplyClosed(candle, snapshot, bars, [.. Keys(fired)], fired.Count);
                var check = m % 11 == 0 || m >= Minutes - 40 || !fired.IsEmpty;
                if (!check)
                {
                    continue;
                }
                var ts = T0 + (m * Candle.MinuteMs) + 60_123 + i;
                var channel = $"metrics:{s.Symbol}";
                var expected = JsonSerializer.SerializeToUtf8Bytes(
                    new LiveFrame<SymbolMetrics>("metrics", channel, ts, s.MetricsDto!), IngestJson.Options);
                Same(expected, writer.Metrics(channel, ts, s.Metrics!, s.LastClosed!.Value, s.LastPresets));
                metricsFrames++;
                withPresets += s.LastPresets.Count > 0 ? 1 : 0;
                if (s.Symbol == "NEWUSDT")
                {
                    missing = !Encoding.UTF8.GetString(expected).Contains("\"rsi14\"", StringComparison.Ordinal);
                }
                for (var t = 0; t < Timeframes.Count; t++)
                {
                    Assert.True(s.TryClosedBar((Timeframe)t, out var bar, out var closed));
                    CheckCandle(writer, s.Symbol, t, closed, bar, ts);
                    (closed ? ref closedBars : ref openBars)++;
                }
                if (m % 3 == 0)
                {
                    // A forming candle of the next minute: the current bars include it.
                    var p = prices[i];
                    s.ApplyForming(Next(random, ref p, Specs[i].Volume / 3, T0 + ((m + 1) * Candle.MinuteMs), spike: false));
                    for (var t = 0; t < Timeframes.Count; t++)
                    {
                        Assert.True(s.TryCurrentBar((Timeframe)t, out var bar, out var closed));
                        CheckCandle(writer, s.Symbol, t, closed, bar, ts);
                        formingBars++;
                    }
                }
            }
            if (m % 50 == 0 || m >= Minutes - 5)
            {
                var ts = T0 + (m * Candle.MinuteMs) + 999;
                var active = states.Where(s => s.LastClosed is not null || s.Forming is not null).ToArray();
                var expected = JsonSerializer.SerializeToUtf8Bytes(
                    new LiveFrame<IReadOnlyList<TickerItem>>("tickers", "tickers", ts, OldTickers(active)), IngestJson.Options);
                Same(expected, writer.Tickers(ts, active));
                tickerFrames++;
            }
        }
        // The run covered what it is meant to: presets that fired, bars closing and open, forming bars, missing values.
        Assert.True(metricsFrames > 500, $"{metricsFrames} metrics frames");
        Assert.True(withPresets > 0, "no preset fired");
        Assert.True(closedBars > 0 && openBars > 0 && formingBars > 0, $"bars closed {closedBars}, open {openBars}, forming {formingBars}");
        Assert.True(missing, "the new symbol should lack its rsi14");
        Assert.True(tickerFrames > 10);
    }

    [Fact]
    public void Tickers_of_a_symbol_without_metrics_carry_only_its_price()
    {
        using var writer = new LiveFrameWriter();
        var s = new SymbolState("ONLYFORMINGUSDT");
        s.ApplyForming(new Candle(T0, 1.5, 1.6, 1.4, 1.55, 10, 15.5, 3, 5, 7.75));
        var empty = new SymbolState("EMPTYUSDT");
        SymbolState[] symbols = [s, empty];
        var expected = JsonSerializer.SerializeToUtf8Bytes(
            new LiveFrame<IReadOnlyList<TickerItem>>("tickers", "tickers", 42, OldTickers(symbols)), IngestJson.Options);
        Same(expected, writer.Tickers(42, symbols));
        Assert.Equal("""{"type":"tickers","channel":"tickers","ts":42,"data":[{"symbol":"ONLYFORMINGUSDT","price":1.55},{"symbol":"EMPTYUSDT"}]}""",
            Encoding.UTF8.GetString(writer.Tickers(42, symbols).Span));
    }

    /// <summary>
    /// Through the fan-out and real Redis: every frame of a closed minute (pipelined out of one reused buffer) arrives
    /// as the serializer would have written it.
    /// </summary>
    [Fact]
    public async Task Published_closed_frames_arrive_intact_from_the_reused_buffer()
    {
        var state = new MarketState();
        var calculator = new MarketCalculator();
        var random = new Random(5);
        var symbols = Enumerable.Range(0, 60).Select(i => $"F{i:D3}USDT").ToArray();
        var prices = symbols.Select(_ => 1 + (random.NextDouble() * 500)).ToArray();
        for (var m = 0; m < 300; m++)
        {
            for (var i = 0; i < symbols.Length; i++)
            {
                var candle = Next(random, ref prices[i], 100 + i, T0 + (m * Candle.MinuteMs), spike: m % 61 == 30);
                Assert.True(calculator.TryApply(symbols[i], candle, out var snapshot, out var bars, out var fired));
                var s = state.GetOrAdd(symbols[i]);
                s.ApplyClosed(candle, snapshot, bars, [.. Keys(fired)], fired.Count);
            }
        }
        var received = new ConcurrentQueue<(string Channel, byte[] Payload)>();
        using var redis = new RedisServer(); // its own: other tests publish on the shared one's live channels
        await using var subscriber = await redis.ConnectAsync();
        (await subscriber.GetSubscriber().SubscribeAsync(StackExchange.Redis.RedisChannel.Pattern("live:*")))
            .OnMessage(msg => received.Enqueue((msg.Channel.ToString(), (byte[])msg.Message!)));
        await using var publisher = await redis.ConnectAsync();
        using var provider = new ServiceCollection().AddSingleton<StackExchange.Redis.IConnectionMultiplexer>(publisher).BuildServiceProvider();
        var now = DateTimeOffset.FromUnixTimeMilliseconds(T0 + (300 * Candle.MinuteMs) + 5);
        using var fanout = new LiveFanout(state, provider, new FixedTime(now), NullLogger<LiveFanout>.Instance);
        await fanout.PublishClosedAsync(symbols, CancellationToken.None);
        var expectedCount = symbols.Length * (1 + Timeframes.Count);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (received.Count < expectedCount && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.Equal(0, fanout.Failures);
        var ts = now.ToUnixTimeMilliseconds();
        var expected = new Dictionary<string, byte[]>();
        foreach (var symbol in symbols)
        {
            Assert.True(state.TryGet(symbol, out var s));
            expected[$"live:metrics:{symbol}"] = JsonSerializer.SerializeToUtf8Bytes(
                new LiveFrame<SymbolMetrics>("metrics", $"metrics:{symbol}", ts, s.MetricsDto!), IngestJson.Options);
            for (var t = 0; t < Timeframes.Count; t++)
            {
                Assert.True(s.TryClosedBar((Timeframe)t, out var bar, out var closed));
                var channel = $"candles:{symbol}:{Timeframes.Names[t]}";
                expected["live:" + channel] = JsonSerializer.SerializeToUtf8Bytes(new LiveFrame<LiveCandle>("candles", channel, ts,
                    new LiveCandle(symbol, Timeframes.Names[t], closed, CandleDto.From(bar))), IngestJson.Options);
            }
        }
        var got = received.ToArray();
        Assert.Equal(expectedCount, got.Length);
        foreach (var (channel, payload) in got)
        {
            Assert.True(expected.Remove(channel, out var want), $"unexpected or repeated {channel}");
            Same(want, payload);
        }
        Assert.Empty(expected);

        // Tickers go through the same buffers.
        received.Clear();
        var all = state.All;
        await fanout.PublishTickersAsync(all, CancellationToken.None);
        deadline = DateTime.UtcNow.AddSeconds(20);
        while (received.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.True(received.TryDequeue(out var tickers));
        Assert.Equal("live:tickers", tickers.Channel);
        Same(JsonSerializer.SerializeToUtf8Bytes(new LiveFrame<IReadOnlyList<TickerItem>>("tickers", "tickers", ts, OldTickers(all)), IngestJson.Options),
            tickers.Payload);
    }

    /// <summary>The tickers as the publisher built them before: from each symbol's metrics DTO.</summary>
    private static List<TickerItem> OldTickers(IReadOnlyList<SymbolState> symbols)
    {
        var list = new List<TickerItem>();
        foreach (var s in symbols)
        {
            var m = s.MetricsDto;
            double? W(string w, bool volume) => m is null ? null : volume ? m.Windows[w].QuoteVolume : m.Windows[w].Change;
            list.Add(new TickerItem(s.Symbol, double.IsFinite(s.Price) ? s.Price : null, W("5m", false), W("1h", false), W("1d", false), W("1h", true), W("1d", true)));
        }
        return list;
    }

    private static void CheckCandle(LiveFrameWriter writer, string symbol, int t, bool closed, in Candle bar, long ts)
    {
        var channel = $"candles:{symbol}:{Timeframes.Names[t]}";
        var expected = JsonSerializer.SerializeToUtf8Bytes(new LiveFrame<LiveCandle>("candles", channel, ts,
            new LiveCandle(symbol, Timeframes.Names[t], closed, CandleDto.From(bar))), IngestJson.Options);
        Same(expected, writer.Candles(channel, ts, symbol, Timeframes.Names[t], closed, bar));
    }

    private static void Same(ReadOnlySpan<byte> expected, ReadOnlyMemory<byte> actual) => Same(expected, actual.Span);

    private static void Same(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual)
    {
        if (!expected.SequenceEqual(actual))
        {
            Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(actual));
            Assert.Fail("same text, different bytes");
        }
    }

    private static IEnumerable<string> Keys(PresetMask fired)
    {
        foreach (var p in fired)
        {
            yield return p.Key();
        }
    }

    /// <summary>A random-walk candle; a spike moves the price by about 6% on 30x the volume (presets fire).</summary>
    private static Candle Next(Random random, ref double price, double volume, long openTime, bool spike)
    {
        var open = price;
        var move = spike ? (random.Next(2) == 0 ? 0.94 : 1.06) : 1 + ((random.NextDouble() - 0.5) * 0.006);
        var close = open * move;
        price = close;
        var v = volume * (0.2 + random.NextDouble()) * (spike ? 30 : 1);
        return new Candle(openTime, open, Math.Max(open, close) * (1 + (random.NextDouble() * 0.001)), Math.Min(open, close) * (1 - (random.NextDouble() * 0.001)),
            close, v, v * close, random.Next(1, 2000), v / 2, v * close / 2);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
