using Npgsql;

namespace Scalpaiboard.Alerts.Infrastructure;

public sealed record FeedSymbol(string Symbol, long LastOpenTime, double LastPrice);

/// <summary><c>alerts.symbol_feed</c>: the last closed candle per symbol the consumer committed.</summary>
public sealed class FeedStore(NpgsqlDataSource dataSource)
{
    public static async Task UpsertAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string[] symbols, long[] openTimes, double[] prices,
        CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(
            """
            INSERT INTO alerts.symbol_feed (symbol, last_open_time, last_price, updated_at)
            SELECT * , now() FROM unnest(@symbols::text[], @times::bigint[], @prices::double precision[])
            ON CONFLICT (symbol) DO UPDATE SET last_open_time = excluded.last_open_time, last_price = excluded.last_price, updated_at = now()
            WHERE excluded.last_open_time >= alerts.symbol_feed.last_open_time
            """, conn, tx);
        cmd.Parameters.AddWithValue("symbols", symbols);
        cmd.Parameters.AddWithValue("times", openTimes);
        cmd.Parameters.AddWithValue("prices", prices);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<FeedSymbol?> GetAsync(string symbol, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("SELECT symbol, last_open_time, last_price FROM alerts.symbol_feed WHERE symbol = @s");
        cmd.Parameters.AddWithValue("s", symbol);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        return await r.ReadAsync(cancellationToken) ? new FeedSymbol(r.GetString(0), r.GetInt64(1), r.GetDouble(2)) : null;
    }

    public async Task<bool> AnyAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM alerts.symbol_feed)");
        return (bool)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Symbols silent for at least <paramref name="staleAfterMs"/> of feed time (behind the newest candle of any
    /// symbol) but not longer than <paramref name="forgetAfterMs"/> (gone symbols do not stay stale forever).
    /// </summary>
    public async Task<(long NewestOpenTime, IReadOnlyList<FeedSymbol> Stale)> StaleAsync(long staleAfterMs, long forgetAfterMs,
        CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            """
            WITH newest AS (SELECT max(last_open_time) AS t FROM alerts.symbol_feed)
            SELECT f.symbol, f.last_open_time, f.last_price, n.t FROM alerts.symbol_feed f, newest n
            WHERE f.last_open_time <= n.t - @stale AND f.last_open_time >= n.t - @forget
            ORDER BY f.symbol
            """);
        cmd.Parameters.AddWithValue("stale", staleAfterMs);
        cmd.Parameters.AddWithValue("forget", forgetAfterMs);
        var list = new List<FeedSymbol>();
        long newest = 0;
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(new FeedSymbol(r.GetString(0), r.GetInt64(1), r.GetDouble(2)));
            newest = r.GetInt64(3);
        }
        return (newest, list);
    }
}
