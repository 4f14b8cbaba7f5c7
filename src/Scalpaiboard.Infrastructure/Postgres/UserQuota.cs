using System.Text.RegularExpressions;
using Npgsql;

namespace Scalpaiboard.Infrastructure.Postgres;

/// <summary>
/// Per-account caps (alerts, AI provider entries, conversations...): inside the caller's transaction, takes a lock
/// for the user and the table, then counts the user's rows, so concurrent requests cannot go past the cap together.
/// The lock is a transaction-scoped advisory lock, released at commit or rollback.
/// </summary>
public static partial class UserQuota
{
    /// <param name="table">A table name from code (<c>alerts.user_alerts</c>), never from input.</param>
    public static async Task<bool> HasRoomAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string table, string userId,
        int max, CancellationToken cancellationToken)
    {
        if (!TableName().IsMatch(table))
        {
            throw new ArgumentException($"Invalid table name '{table}'.", nameof(table));
        }
        await using (var lk = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext($1 || ':' || $2))", connection, transaction))
        {
            lk.Parameters.AddWithValue(table);
            lk.Parameters.AddWithValue(userId);
            await lk.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var count = new NpgsqlCommand($"SELECT count(*) FROM {table} WHERE user_id = $1", connection, transaction);
        count.Parameters.AddWithValue(userId);
        return (long)(await count.ExecuteScalarAsync(cancellationToken))! < max;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}\\.[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex TableName();
}
