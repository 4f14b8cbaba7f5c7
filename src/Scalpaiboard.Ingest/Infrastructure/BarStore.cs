using Npgsql;
using NpgsqlTypes;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Bars;

namespace Scalpaiboard.Ingest.Infrastructure;

/// <summary>One stored higher-timeframe bar.</summary>
public readonly record struct SymbolBar(string Symbol, Timeframe Timeframe, Candle Bar);

/// <summary>
/// The closed 4h/8h/1d bars in <c>ingest.bars</c> (see docs/ingest.md, "Higher-timeframe bars"): idempotent
/// upserts, reads before a time for seeding the engine, the newest bar per symbol and timeframe, and the per-symbol
/// 1m candle reads the bars are aggregated from.
/// </summary>
public sealed class BarStore(NpgsqlDataSource dataSource)
{
    /// <summary>The timeframes kept in the table.</summary>
    public static readonly Timeframe[] Timeframes = [Timeframe.H4, Timeframe.H8, Timeframe.D1];

    private const string Columns = "symbol, timeframe, open_time, open, high, low, close, volume, quote_volume, trades, taker_buy_volume, taker_buy_quote_volume";

    /// <summary>Writes bars (insert, or replace the stored values of the same key) in one transaction.</summary>
    public async Task UpsertAsync(IReadOnlyList<SymbolBar> bars, CancellationToken cancellationToken)
    {
        if (bars.Count == 0)
        {
            return;
        }
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var create = new NpgsqlCommand(
            "CREATE TEMP TABLE IF NOT EXISTS bars_staging (LIKE ingest.bars INCLUDING DEFAULTS) ON COMMIT DELETE ROWS", conn, tx))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var writer = await conn.BeginBinaryImportAsync($"COPY bars_staging ({Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var (symbol, tf, b) in bars)
            {
                await writer.StartRowAsync(cancellationToken);
                await writer.WriteAsync(symbol, NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(tf.Name(), NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(b.OpenTime, NpgsqlDbType.Bigint, cancellationToken);
                await writer.WriteAsync(b.Open, NpgsqlDbType.Double, cancellationToken);
                await writer.WriteAsync(b.High, NpgsqlDbType.Double, cancellationToken);
                await writer.WriteAsync(b.Low, NpgsqlDbType.Double, cancellationToken);
                await writer.WriteAsync(b.Close, NpgsqlDbType.Double, cancellationToken);
                await writer.WriteAsync(b.Volume, NpgsqlDbType.Double, cancellationToken);
                await writer.WriteAsync(b.QuoteVolume, NpgsqlDbType.Double, cancellationToken);
                await writer.WriteAsync(b.Trades, NpgsqlDbType.Bigint, cancellationToken);
                await writer.WriteAsync(b.TakerBuyVolume, NpgsqlDbType.Double, cancellationToken);
                await writer.WriteAsync(b.TakerBuyQuoteVolume, NpgsqlDbType.Double, cancellationToken);
            }
            await writer.CompleteAsync(cancellationToken);
        }
        await using (var upsert = new NpgsqlCommand($"""
            INSERT INTO ingest.bars ({Columns})
            SELECT DISTINCT ON (symbol, timeframe, open_time) {Columns} FROM bars_staging ORDER BY symbol, timeframe, open_time
            ON CONFLICT (symbol, timeframe, open_time) DO UPDATE SET
                open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
                volume = EXCLUDED.volume, quote_volume = EXCLUDED.quote_volume, trades = EXCLUDED.trades,
                taker_buy_volume = EXCLUDED.taker_buy_volume, taker_buy_quote_volume = EXCLUDED.taker_buy_quote_volume
            """, conn, tx))
        {
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>The stored bars of a symbol and timeframe that open before <paramref name="before"/>, oldest first.</summary>
    public Task<List<Candle>> ReadBeforeAsync(string symbol, Timeframe timeframe, long before, CancellationToken cancellationToken) =>
        ReadRangeAsync(symbol, timeframe, long.MinValue, before, int.MaxValue, newest: true, cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> stored bars with open time in [<paramref name="from"/>, <paramref name="before"/>),
    /// the newest (or with <paramref name="newest"/> false the oldest) ones when there are more; oldest first.
    /// </summary>
    public async Task<List<Candle>> ReadRangeAsync(string symbol, Timeframe timeframe, long from, long before, int limit, bool newest, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand($"""
            SELECT * FROM (
                SELECT {Columns[(Columns.IndexOf("open_time", StringComparison.Ordinal))..]} FROM ingest.bars
                WHERE symbol = $1 AND timeframe = $2 AND open_time >= $3 AND open_time < $4
                ORDER BY open_time {(newest ? "DESC" : "ASC")} LIMIT $5) b
            ORDER BY open_time
            """);
        cmd.Parameters.AddWithValue(symbol);
        cmd.Parameters.AddWithValue(timeframe.Name());
        cmd.Parameters.AddWithValue(from);
        cmd.Parameters.AddWithValue(before);
        cmd.Parameters.AddWithValue((long)limit);
        var list = new List<Candle>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(ReadCandle(r));
        }
        return list;
    }

    /// <summary>The newest stored bar's open time per (symbol, timeframe).</summary>
    public async Task<Dictionary<(string Symbol, Timeframe Timeframe), long>> LatestOpenTimesAsync(CancellationToken cancellationToken)
    {
        var result = new Dictionary<(string, Timeframe), long>();
        await using var cmd = dataSource.CreateCommand("SELECT symbol, timeframe, max(open_time) FROM ingest.bars GROUP BY symbol, timeframe");
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            if (Market.Bars.Timeframes.TryParse(r.GetString(1), out var tf))
            {
                result[(r.GetString(0), tf)] = r.GetInt64(2);
            }
        }
        return result;
    }

    /// <summary>True when any bar of <paramref name="symbol"/> opens before <paramref name="before"/>.</summary>
    public async Task<bool> HasBarsBeforeAsync(string symbol, long before, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM ingest.bars WHERE symbol = $1 AND open_time < $2)");
        cmd.Parameters.AddWithValue(symbol);
        cmd.Parameters.AddWithValue(before);
        return await cmd.ExecuteScalarAsync(cancellationToken) is true;
    }

    /// <summary>A symbol's stored 1m candles with open time in [<paramref name="from"/>, <paramref name="before"/>), oldest first.</summary>
    public async Task<List<Candle>> ReadCandlesAsync(string symbol, long from, long before, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT open_time, open, high, low, close, volume, quote_volume, trades, taker_buy_volume, taker_buy_quote_volume
            FROM ingest.candles_1m WHERE symbol = $1 AND open_time >= $2 AND open_time < $3 ORDER BY open_time
            """);
        cmd.Parameters.AddWithValue(symbol);
        cmd.Parameters.AddWithValue(from);
        cmd.Parameters.AddWithValue(before);
        var list = new List<Candle>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(ReadCandle(r));
        }
        return list;
    }

    /// <summary>The open time of a symbol's oldest stored 1m candle at or after <paramref name="from"/>, or null.</summary>
    public async Task<long?> FirstCandleOpenTimeAsync(string symbol, long from, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("SELECT min(open_time) FROM ingest.candles_1m WHERE symbol = $1 AND open_time >= $2");
        cmd.Parameters.AddWithValue(symbol);
        cmd.Parameters.AddWithValue(from);
        return await cmd.ExecuteScalarAsync(cancellationToken) is long v ? v : null;
    }

    private static Candle ReadCandle(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetDouble(1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4), r.GetDouble(5), r.GetDouble(6),
        r.GetInt64(7), r.GetDouble(8), r.GetDouble(9));
}
