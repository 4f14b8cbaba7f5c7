using Npgsql;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Data;

namespace Scalpaiboard.Ingest.Infrastructure;

/// <summary>An aggregated (or 1m) bar read for the candles API.</summary>
public readonly record struct StoredBar(long OpenTime, double Open, double High, double Low, double Close, double Volume, double QuoteVolume, long Trades);

/// <summary>
/// The 1m candle store in <c>ingest.candles_1m</c>: batched binary COPY into a temp table, then an idempotent
/// upsert; history queries for the API and the start-up rebuild; retention.
/// </summary>
public sealed class CandleStore(NpgsqlDataSource dataSource)
{
    private const string Columns = "symbol, " + CandleColumns.Names;

    /// <summary>
    /// Writes candles idempotently. New candles (the usual case: the feeds continue after the newest stored one) are
    /// copied straight into the table in one COPY; if any of them is there already (a re-delivery, a corrected
    /// candle, a re-publish after a crash) the COPY fails as a whole on the primary key and the batch is written
    /// again through a staging table and INSERT ... ON CONFLICT DO UPDATE.
    /// </summary>
    public async Task UpsertAsync(IReadOnlyList<SymbolCandle> candles, CancellationToken cancellationToken)
    {
        if (candles.Count == 0)
        {
            return;
        }
        try
        {
            await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
            await CopyAsync(conn, "ingest.candles_1m", candles, cancellationToken);
            return;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Some candle exists: upsert below.
        }
        await StagedUpsert.RunAsync<SymbolCandle, CandleRow>(dataSource, "ingest.candles_1m", "candles_staging", "symbol, open_time",
            Columns, CandleColumns.UpdateSet, candles, cancellationToken);
    }

    private static async Task CopyAsync(NpgsqlConnection conn, string table, IReadOnlyList<SymbolCandle> candles, CancellationToken cancellationToken)
    {
        await using var copy = await BinaryCopyWriter.BeginAsync(conn, $"COPY {table} ({Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        await copy.WriteRowsAsync<SymbolCandle, CandleRow>(candles, cancellationToken);
        await copy.CompleteAsync(cancellationToken);
    }

    /// <summary>A <c>candles_1m</c> row: the symbol, then the candle.</summary>
    private readonly struct CandleRow : IBinaryCopyRowEncoder<SymbolCandle>
    {
        public static int MaxSize(in SymbolCandle row) => 2 + BinaryCopyWriter.MaxTextSize(row.Symbol) + CandleColumns.BinarySize;

        public static int Write(Span<byte> destination, in SymbolCandle row)
        {
            var n = BinaryCopyWriter.WriteFieldCount(destination, 1 + CandleColumns.Count);
            n += BinaryCopyWriter.WriteText(destination[n..], row.Symbol);
            return n + CandleColumns.Write(destination[n..], row.Candle);
        }
    }

    /// <summary>The newest stored open time per symbol.</summary>
    public async Task<Dictionary<string, long>> LastOpenTimesAsync(CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var cmd = dataSource.CreateCommand("SELECT symbol, max(open_time) FROM ingest.candles_1m GROUP BY symbol");
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            result[r.GetString(0)] = r.GetInt64(1);
        }
        return result;
    }

    /// <summary>
    /// The last <paramref name="minutes"/> minutes of each symbol's stored history (relative to its own newest
    /// candle), extended back to the start of that UTC day so the first bar of every timeframe is complete; ordered by
    /// open time then symbol, so they can be fed to the engine in time order.
    /// </summary>
    public async IAsyncEnumerable<SymbolCandle> ReadRecentAsync(int minutes, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand($"""
            SELECT c.{Columns.Replace(", ", ", c.", StringComparison.Ordinal)}
            FROM ingest.candles_1m c
            JOIN (SELECT symbol, max(open_time) AS last FROM ingest.candles_1m GROUP BY symbol) l ON l.symbol = c.symbol
            WHERE c.open_time >= (l.last - $1) / 86400000 * 86400000
            ORDER BY c.open_time, c.symbol
            """);
        cmd.Parameters.AddWithValue((long)minutes * Candle.MinuteMs);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            yield return Read(r);
        }
    }

    /// <summary>Stored candles with open time in (after, upTo], ordered by open time then symbol.</summary>
    public async Task<List<SymbolCandle>> ReadRangeAsync(long after, long upTo, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT {Columns} FROM ingest.candles_1m WHERE open_time > $1 AND open_time <= $2 ORDER BY open_time, symbol");
        cmd.Parameters.AddWithValue(after);
        cmd.Parameters.AddWithValue(upTo);
        var list = new List<SymbolCandle>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(Read(r));
        }
        return list;
    }

    /// <summary>A symbol's stored 1m candles with open time in [<paramref name="from"/>, <paramref name="before"/>), oldest first.</summary>
    public async Task<List<Candle>> ReadCandlesAsync(string symbol, long from, long before, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand($"""
            SELECT {CandleColumns.Names}
            FROM ingest.candles_1m WHERE symbol = $1 AND open_time >= $2 AND open_time < $3 ORDER BY open_time
            """);
        cmd.Parameters.AddWithValue(symbol);
        cmd.Parameters.AddWithValue(from);
        cmd.Parameters.AddWithValue(before);
        var list = new List<Candle>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(CandleColumns.Read(r, 0));
        }
        return list;
    }

    /// <summary>The open time of a symbol's oldest stored 1m candle at or after <paramref name="from"/>, or null.</summary>
    public async Task<long?> FirstOpenTimeAsync(string symbol, long from, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("SELECT min(open_time) FROM ingest.candles_1m WHERE symbol = $1 AND open_time >= $2");
        cmd.Parameters.AddWithValue(symbol);
        cmd.Parameters.AddWithValue(from);
        return await cmd.ExecuteScalarAsync(cancellationToken) is long v ? v : null;
    }

    /// <summary>
    /// Bars of <paramref name="minutes"/> minutes aligned to UTC (Unix epoch multiples), built from stored 1m candles.
    /// With <paramref name="from"/> and no <paramref name="to"/>: the first <paramref name="limit"/> bars from it;
    /// otherwise the last <paramref name="limit"/> bars up to <paramref name="to"/>. Oldest first.
    /// </summary>
    public async Task<List<StoredBar>> ReadBarsAsync(string symbol, int minutes, long? from, long? to, int limit, CancellationToken cancellationToken)
    {
        var duration = minutes * Candle.MinuteMs;
        var ascending = from is not null && to is null;
        var sql = $"""
            SELECT b.t, b.o, b.h, b.l, b.c, b.v, b.q, b.n FROM (
                SELECT (open_time - open_time % $2) AS t,
                       (array_agg(open ORDER BY open_time))[1] AS o, max(high) AS h, min(low) AS l,
                       (array_agg(close ORDER BY open_time DESC))[1] AS c,
                       sum(volume) AS v, sum(quote_volume) AS q, sum(trades)::bigint AS n
                FROM ingest.candles_1m
                WHERE symbol = $1 AND open_time >= $3 AND open_time <= $4
                GROUP BY 1
                ORDER BY 1 {(ascending ? "ASC" : "DESC")}
                LIMIT $5) b
            ORDER BY b.t
            """;
        await using var cmd = dataSource.CreateCommand(sql);
        cmd.Parameters.AddWithValue(symbol);
        cmd.Parameters.AddWithValue(duration);
        // A bar that starts before 'from' still counts if 'from' falls inside it: align the bounds.
        var lower = from is { } f ? f - (f % duration) : 0L;
        var upper = to ?? long.MaxValue;
        cmd.Parameters.AddWithValue(lower);
        cmd.Parameters.AddWithValue(upper);
        cmd.Parameters.AddWithValue(limit);
        var list = new List<StoredBar>(Math.Min(limit, 4096));
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(new StoredBar(r.GetInt64(0), r.GetDouble(1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4), r.GetDouble(5), r.GetDouble(6), r.GetInt64(7)));
        }
        return list;
    }

    /// <summary>Deletes candles that opened before <paramref name="before"/>; returns how many.</summary>
    public async Task<int> DeleteOlderThanAsync(long before, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("DELETE FROM ingest.candles_1m WHERE open_time < $1");
        cmd.Parameters.AddWithValue(before);
        return await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<long?> PublishedOpenTimeAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("SELECT published_open_time FROM ingest.publish_state WHERE id = 1");
        return await cmd.ExecuteScalarAsync(cancellationToken) is long v ? v : null;
    }

    public async Task SetPublishedOpenTimeAsync(long openTime, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            INSERT INTO ingest.publish_state (id, published_open_time) VALUES (1, $1)
            ON CONFLICT (id) DO UPDATE SET published_open_time = GREATEST(ingest.publish_state.published_open_time, EXCLUDED.published_open_time)
            """);
        cmd.Parameters.AddWithValue(openTime);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private static SymbolCandle Read(NpgsqlDataReader r) => new(r.GetString(0), CandleColumns.Read(r, 1));
}
