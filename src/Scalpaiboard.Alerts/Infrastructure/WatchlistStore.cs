using Npgsql;
using Scalpaiboard.Alerts.Model;

namespace Scalpaiboard.Alerts.Infrastructure;

/// <summary><c>alerts.watchlist</c> with current prices from <c>alerts.symbol_feed</c>, scoped by user.</summary>
public sealed class WatchlistStore(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<PortfolioItem>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            """
            SELECT w.symbol, w.added_price, w.added_at, f.last_price, f.last_open_time
            FROM alerts.watchlist w LEFT JOIN alerts.symbol_feed f ON f.symbol = w.symbol
            WHERE w.user_id = @user ORDER BY w.added_at, w.symbol
            """);
        cmd.Parameters.AddWithValue("user", userId);
        var list = new List<PortfolioItem>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            double? added = r.IsDBNull(1) ? null : r.GetDouble(1);
            double? current = r.IsDBNull(3) ? null : r.GetDouble(3);
            double? change = added is > 0 && current is not null ? (current.Value / added.Value - 1) * 100 : null;
            list.Add(new PortfolioItem(r.GetString(0), added, r.GetFieldValue<DateTimeOffset>(2), current, change,
                r.IsDBNull(4) ? null : r.GetInt64(4)));
        }
        return list;
    }

    /// <summary>Adds a symbol (idempotent: an existing entry keeps its price when added). Returns true when new.</summary>
    public async Task<bool> AddAsync(string userId, string symbol, double? price, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "INSERT INTO alerts.watchlist (user_id, symbol, added_price) VALUES (@user, @symbol, @price) ON CONFLICT DO NOTHING");
        cmd.Parameters.AddWithValue("user", userId);
        cmd.Parameters.AddWithValue("symbol", symbol);
        cmd.Parameters.AddWithValue("price", (object?)price ?? DBNull.Value);
        return await cmd.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<bool> RemoveAsync(string userId, string symbol, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("DELETE FROM alerts.watchlist WHERE user_id = @user AND symbol = @symbol");
        cmd.Parameters.AddWithValue("user", userId);
        cmd.Parameters.AddWithValue("symbol", symbol);
        return await cmd.ExecuteNonQueryAsync(cancellationToken) > 0;
    }
}
