using System.Collections;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Scalpaiboard.Infrastructure.Postgres;
using Scalpaiboard.Ingest.Infrastructure;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Data;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Ingest.Tests;

/// <summary>
/// The stores' hand-written binary COPY: values read back bit for bit, batches of many chunks, the duplicate path
/// through the staging table, and a COPY that fails or is cancelled half way storing nothing and leaving the pooled
/// connection usable.
/// </summary>
public sealed class CandleStoreCopyTests
{
    private static readonly string LongSymbol = string.Concat(Enumerable.Repeat("LONG€🚀", 40));

    // Bigger than the writer's whole buffer: the buffer has to grow for this one row.
    private static readonly string HugeSymbol = new('H', BinaryCopyChunk * 2);

    private const int BinaryCopyChunk = 64 * 1024;

    [Fact]
    public async Task Extreme_values_read_back_bit_for_bit()
    {
        await using var db = await StoreDatabase.CreateAsync();
        SymbolCandle[] candles =
        [
            new("X", new Candle(long.MaxValue, double.MaxValue, double.Epsilon, -0.0, 0.0, 1e-300, 1e300, long.MaxValue, double.MinValue, -double.Epsilon)),
            new("X", new Candle(long.MinValue, 0.1, 1.0 / 3, Math.PI, 42_000.12345678, 5e-324, 1.7976931348623157e308, 0, 123.456, 7.0)),
            new("X", new Candle(0, -1, -2, -3, -4, -5, -6, long.MinValue, -7, -8)),
            new(LongSymbol, new Candle(1_700_000_000_000, 1, 2, 0.5, 1.5, 10, 15, 3, 4, 6)),
            new(HugeSymbol, new Candle(1_700_000_060_000, 2, 3, 1, 2.5, 11, 16, 4, 5, 7)),
        ];
        await db.Candles.UpsertAsync(candles, CancellationToken.None);
        AssertBitIdentical(candles, await db.ReadAllAsync());
    }

    [Fact]
    public async Task Non_finite_doubles_are_stored_as_they_are()
    {
        await using var db = await StoreDatabase.CreateAsync();
        SymbolCandle[] candles =
        [
            new("NANUSDT", new Candle(60_000, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.NaN, 1, 2, 3, double.PositiveInfinity, 4)),
        ];
        await db.Candles.UpsertAsync(candles, CancellationToken.None);
        AssertBitIdentical(candles, await db.ReadAllAsync());
    }

    [Fact]
    public async Task Stored_rows_are_byte_for_byte_what_Npgsqls_parameter_bound_COPY_stores()
    {
        await using var db = await StoreDatabase.CreateAsync();
        var candles = RandomCandles(symbols: 7, minutes: 300, seed: 7);
        candles.Add(new("X", new Candle(long.MaxValue, double.MaxValue, double.Epsilon, -0.0, double.NaN, double.PositiveInfinity, 1e-300, long.MinValue, double.MinValue, -1)));
        candles.Add(new(LongSymbol, new Candle(long.MinValue, 0, 1, 2, 3, 4, 5, 6, 7, 8)));
        await db.Candles.UpsertAsync(candles, CancellationToken.None);

        await using var conn = await db.OpenAsync();
        await using (var create = new NpgsqlCommand("CREATE TABLE reference (LIKE ingest.candles_1m)", conn))
        {
            await create.ExecuteNonQueryAsync();
        }
        await using (var importer = await conn.BeginBinaryImportAsync($"COPY reference (symbol, {StoreDatabase.CandleColumnNames}) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var (symbol, c) in candles)
            {
                await importer.StartRowAsync();
                await importer.WriteAsync(symbol, NpgsqlTypes.NpgsqlDbType.Text);
                await importer.WriteAsync(c.OpenTime, NpgsqlTypes.NpgsqlDbType.Bigint);
                foreach (var v in (double[])[c.Open, c.High, c.Low, c.Close, c.Volume, c.QuoteVolume])
                {
                    await importer.WriteAsync(v, NpgsqlTypes.NpgsqlDbType.Double);
                }
                await importer.WriteAsync(c.Trades, NpgsqlTypes.NpgsqlDbType.Bigint);
                await importer.WriteAsync(c.TakerBuyVolume, NpgsqlTypes.NpgsqlDbType.Double);
                await importer.WriteAsync(c.TakerBuyQuoteVolume, NpgsqlTypes.NpgsqlDbType.Double);
            }
            await importer.CompleteAsync();
        }
        // Each column's binary send form, so -0.0 differs from 0.0 and NaN from NaN only if the bits do.
        const string Sent = """
            textsend(symbol), int8send(open_time), float8send(open), float8send(high), float8send(low), float8send(close), float8send(volume),
            float8send(quote_volume), int8send(trades), float8send(taker_buy_volume), float8send(taker_buy_quote_volume)
            """;
        await using var compare = new NpgsqlCommand($"""
            SELECT (SELECT count(*) FROM reference),
                   (SELECT count(*) FROM (SELECT {Sent} FROM ingest.candles_1m EXCEPT ALL SELECT {Sent} FROM reference) d),
                   (SELECT count(*) FROM (SELECT {Sent} FROM reference EXCEPT ALL SELECT {Sent} FROM ingest.candles_1m) d)
            """, conn);
        await using var r = await compare.ExecuteReaderAsync();
        await r.ReadAsync();
        Assert.Equal(candles.Count, r.GetInt64(0));
        Assert.Equal(0, r.GetInt64(1));
        Assert.Equal(0, r.GetInt64(2));
    }

    [Fact]
    public async Task A_batch_of_many_chunks_is_stored_whole()
    {
        await using var db = await StoreDatabase.CreateAsync();
        var candles = RandomCandles(symbols: 37, minutes: 700, seed: 1); // 25,900 rows, about 3.6 MB of COPY data
        await db.Candles.UpsertAsync(candles, CancellationToken.None);
        AssertBitIdentical(candles, await db.ReadAllAsync());
    }

    [Fact]
    public async Task Stored_candles_sent_again_go_through_the_staging_table_and_corrected_ones_overwrite()
    {
        await using var db = await StoreDatabase.CreateAsync();
        var first = RandomCandles(symbols: 20, minutes: 1000, seed: 2);
        await db.Candles.UpsertAsync(first, CancellationToken.None);

        // The second half of the first batch again, every other candle corrected, one row twice, then new candles: the
        // plain COPY fails on the key and the staging path writes them all.
        var second = new List<SymbolCandle>();
        for (var i = first.Count / 2; i < first.Count; i++)
        {
            var (symbol, c) = first[i];
            second.Add(i % 2 == 0 ? new SymbolCandle(symbol, c with { Close = c.Close * 1.5, Volume = -0.0, Trades = long.MaxValue }) : first[i]);
        }
        second.Add(second[^1]);
        second.AddRange(RandomCandles(symbols: 20, minutes: 10, seed: 3, firstMinute: 1000));
        await db.Candles.UpsertAsync(second, CancellationToken.None);

        var expected = new Dictionary<(string, long), SymbolCandle>();
        foreach (var c in first.Concat(second))
        {
            expected[(c.Symbol, c.Candle.OpenTime)] = c;
        }
        AssertBitIdentical([.. expected.Values], await db.ReadAllAsync());
    }

    /// <summary>
    /// A round of the writer can hold a candle and, behind it, its correction (the feed corrected it before the round
    /// was written): the later one is what the table keeps, whether the key was stored before or not.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_batch_holding_a_candle_and_then_its_correction_stores_the_correction(bool storedBefore)
    {
        await using var db = await StoreDatabase.CreateAsync();
        var candles = RandomCandles(symbols: 9, minutes: 400, seed: 4);
        if (storedBefore)
        {
            await db.Candles.UpsertAsync(candles, CancellationToken.None);
        }
        var batch = new List<SymbolCandle>(candles);
        for (var i = 0; i < candles.Count; i += 7)
        {
            var (symbol, c) = candles[i];
            batch.Add(new SymbolCandle(symbol, c with { Close = c.Close * 1.01, Volume = c.Volume + 1, Trades = c.Trades + 1 }));
            if (i % 3 == 0)
            {
                batch.Add(new SymbolCandle(symbol, c with { High = c.High * 1.02, Close = c.Close * 1.02, Trades = c.Trades + 2 }));
            }
        }
        await db.Candles.UpsertAsync(batch, CancellationToken.None);

        var expected = new Dictionary<(string, long), SymbolCandle>();
        foreach (var c in batch)
        {
            expected[(c.Symbol, c.Candle.OpenTime)] = c;
        }
        AssertBitIdentical([.. expected.Values], await db.ReadAllAsync());
    }

    [Fact]
    public async Task A_COPY_cancelled_half_way_stores_nothing_and_the_pooled_connection_keeps_working()
    {
        await using var db = await StoreDatabase.CreateAsync();
        var pid = await db.BackendPidAsync();
        var candles = RandomCandles(symbols: 30, minutes: 1000, seed: 4);
        using var cts = new CancellationTokenSource();
        var cancelling = new ReadHook<SymbolCandle>(candles, at: candles.Count / 2, onRead: 1, cts.Cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => db.Candles.UpsertAsync(cancelling, cts.Token));
        Assert.True(cancelling.Fired);
        Assert.Empty(await db.ReadAllAsync());
        Assert.Equal(pid, await db.BackendPidAsync()); // CopyFail, not a broken connection replaced by a new one

        await db.Candles.UpsertAsync(candles, CancellationToken.None);
        AssertBitIdentical(candles, await db.ReadAllAsync());
    }

    [Fact]
    public async Task A_staging_COPY_cancelled_half_way_changes_nothing_and_the_pooled_connection_keeps_working()
    {
        await using var db = await StoreDatabase.CreateAsync();
        var candles = RandomCandles(symbols: 30, minutes: 1000, seed: 5);
        await db.Candles.UpsertAsync(candles, CancellationToken.None);
        var pid = await db.BackendPidAsync();
        var corrected = candles.Select(c => c with { Candle = c.Candle with { Close = c.Candle.Close + 1 } }).ToList();
        using var cts = new CancellationTokenSource();
        // The first read of the row is the plain COPY (which fails on the key), the second the staging COPY.
        var cancelling = new ReadHook<SymbolCandle>(corrected, at: corrected.Count / 2, onRead: 2, cts.Cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => db.Candles.UpsertAsync(cancelling, cts.Token));
        Assert.True(cancelling.Fired);
        AssertBitIdentical(candles, await db.ReadAllAsync());
        Assert.Equal(pid, await db.BackendPidAsync());

        await db.Candles.UpsertAsync(corrected, CancellationToken.None);
        AssertBitIdentical(corrected, await db.ReadAllAsync());
    }

    [Fact]
    public async Task A_row_that_cannot_be_encoded_fails_the_whole_batch_and_the_pooled_connection_keeps_working()
    {
        await using var db = await StoreDatabase.CreateAsync();
        var pid = await db.BackendPidAsync();
        var candles = RandomCandles(symbols: 30, minutes: 1000, seed: 6);
        var bad = candles.ToList();
        bad[bad.Count / 2] = bad[bad.Count / 2] with { Symbol = "BAD\uD800USDT" }; // a lone surrogate has no UTF-8

        await Assert.ThrowsAnyAsync<ArgumentException>(() => db.Candles.UpsertAsync(bad, CancellationToken.None));
        Assert.Empty(await db.ReadAllAsync());
        Assert.Equal(pid, await db.BackendPidAsync());

        await db.Candles.UpsertAsync(candles, CancellationToken.None);
        AssertBitIdentical(candles, await db.ReadAllAsync());
    }

    [Fact]
    public async Task Bars_read_back_bit_for_bit_and_a_bar_sent_again_replaces_the_stored_one()
    {
        await using var db = await StoreDatabase.CreateAsync();
        var bar = new Candle(14_400_000, double.MaxValue, double.Epsilon, -0.0, 1e-300, 1e300, double.NaN, long.MaxValue, 0.1, double.PositiveInfinity);
        List<SymbolBar> bars = [new("X", Timeframe.H4, bar), new(LongSymbol, Timeframe.D1, bar with { OpenTime = 0 })];
        for (var i = 0; i < 3000; i++) // more than one chunk
        {
            bars.Add(new SymbolBar("BTCUSDT", Timeframe.H8, bar with { OpenTime = i * 28_800_000L, Close = i }));
        }
        await db.Bars.UpsertAsync(bars, CancellationToken.None);
        await db.Bars.UpsertAsync([new SymbolBar("X", Timeframe.H4, bar with { Close = 7 })], CancellationToken.None);

        AssertBitIdentical([bar with { Close = 7 }], await db.Bars.ReadRangeAsync("X", Timeframe.H4, long.MinValue, long.MaxValue, 10, true, CancellationToken.None));
        AssertBitIdentical([bar with { OpenTime = 0 }], await db.Bars.ReadRangeAsync(LongSymbol, Timeframe.D1, long.MinValue, long.MaxValue, 10, true, CancellationToken.None));
        AssertBitIdentical([.. bars.Skip(2).Select(b => b.Bar)], await db.Bars.ReadRangeAsync("BTCUSDT", Timeframe.H8, long.MinValue, long.MaxValue, 5000, true, CancellationToken.None));
    }

    private static List<SymbolCandle> RandomCandles(int symbols, int minutes, int seed, int firstMinute = 0)
    {
        var random = new Random(seed);
        var list = new List<SymbolCandle>(symbols * minutes);
        for (var m = firstMinute; m < firstMinute + minutes; m++)
        {
            for (var s = 0; s < symbols; s++)
            {
                var open = random.NextDouble() * Math.Pow(10, random.Next(-8, 6));
                list.Add(new SymbolCandle($"S{s}USDT", new Candle(
                    1_700_000_000_000 + m * Candle.MinuteMs, open, open * 1.01, open * 0.99, open * (0.99 + random.NextDouble() * 0.02),
                    random.NextDouble() * 1e9, random.NextDouble() * 1e12, random.NextInt64(), random.NextDouble(), random.NextDouble() * 1e-9)));
            }
        }
        return list;
    }

    private static void AssertBitIdentical(IReadOnlyList<SymbolCandle> expected, IReadOnlyList<SymbolCandle> actual)
    {
        var ordered = expected.OrderBy(c => c.Symbol, StringComparer.Ordinal).ThenBy(c => c.Candle.OpenTime).ToList();
        Assert.Equal(ordered.Count, actual.Count);
        for (var i = 0; i < ordered.Count; i++)
        {
            Assert.Equal(ordered[i].Symbol, actual[i].Symbol);
        }
        AssertBitIdentical([.. ordered.Select(c => c.Candle)], [.. actual.Select(c => c.Candle)]);
    }

    private static void AssertBitIdentical(IReadOnlyList<Candle> expected, IReadOnlyList<Candle> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(Bits(expected[i]), Bits(actual[i]));
        }
    }

    private static long[] Bits(Candle c) =>
    [
        c.OpenTime, B(c.Open), B(c.High), B(c.Low), B(c.Close), B(c.Volume), B(c.QuoteVolume), c.Trades, B(c.TakerBuyVolume), B(c.TakerBuyQuoteVolume),
    ];

    private static long B(double v) => BitConverter.DoubleToInt64Bits(v);

    /// <summary>A list that runs <paramref name="action"/> when its item <paramref name="at"/> is read for the <paramref name="onRead"/>th time.</summary>
    private sealed class ReadHook<T>(IReadOnlyList<T> items, int at, int onRead, Action action) : IReadOnlyList<T>
    {
        private int _reads;

        public bool Fired => _reads >= onRead;

        public T this[int index]
        {
            get
            {
                if (index == at && ++_reads == onRead)
                {
                    action();
                }
                return items[index];
            }
        }

        public int Count => items.Count;

        public IEnumerator<T> GetEnumerator()
        {
            for (var i = 0; i < items.Count; i++)
            {
                yield return this[i];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>A fresh migrated database whose pool holds one connection, so a broken one would show as a new backend.</summary>
    private sealed class StoreDatabase(NpgsqlDataSource dataSource) : IAsyncDisposable
    {
        public CandleStore Candles { get; } = new(dataSource);

        public BarStore Bars { get; } = new(dataSource);

        public static async Task<StoreDatabase> CreateAsync()
        {
            var cs = new NpgsqlConnectionStringBuilder(await PostgresServer.Shared.CreateDatabaseAsync("copy")) { MaxPoolSize = 1 };
            var dataSource = NpgsqlDataSource.Create(cs.ConnectionString);
            await new MigrationRunner(dataSource, "ingest", EmbeddedMigrations.Load(typeof(CandleStore).Assembly), NullLogger<MigrationRunner>.Instance)
                .ApplyAsync(CancellationToken.None);
            return new StoreDatabase(dataSource);
        }

        public async Task<NpgsqlConnection> OpenAsync() => await dataSource.OpenConnectionAsync();

        public async Task<int> BackendPidAsync()
        {
            await using var cmd = dataSource.CreateCommand("SELECT pg_backend_pid()");
            return (int)(await cmd.ExecuteScalarAsync())!;
        }

        public async Task<List<SymbolCandle>> ReadAllAsync()
        {
            await using var cmd = dataSource.CreateCommand($"SELECT symbol, {CandleColumnNames} FROM ingest.candles_1m ORDER BY symbol COLLATE \"C\", open_time");
            await using var r = await cmd.ExecuteReaderAsync();
            var list = new List<SymbolCandle>();
            while (await r.ReadAsync())
            {
                list.Add(new SymbolCandle(r.GetString(0), new Candle(
                    r.GetInt64(1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4), r.GetDouble(5), r.GetDouble(6), r.GetDouble(7), r.GetInt64(8), r.GetDouble(9), r.GetDouble(10))));
            }
            return list;
        }

        public ValueTask DisposeAsync() => dataSource.DisposeAsync();

        public const string CandleColumnNames = "open_time, open, high, low, close, volume, quote_volume, trades, taker_buy_volume, taker_buy_quote_volume";
    }
}
