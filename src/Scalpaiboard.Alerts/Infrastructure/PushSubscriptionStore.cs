using Npgsql;
using Scalpaiboard.Alerts.Model;
using Scalpaiboard.Alerts.Notifications;

namespace Scalpaiboard.Alerts.Infrastructure;

/// <summary>
/// Browsers' push subscriptions: <c>alerts.user_webhooks</c> rows of kind <c>push</c> (so the outbox, its flood limits,
/// digests and dead letters treat them as any other channel). The auth secret is stored encrypted like every webhook
/// secret (<see cref="SettingsStore.Protect"/>); the endpoint and the browser's public key are not secrets. An endpoint
/// is one row: when another account subscribes the same browser, the old row goes (with its undelivered messages) and
/// a new one is made.
/// </summary>
public sealed class PushSubscriptionStore(NpgsqlDataSource dataSource, SettingsStore settings)
{
    /// <summary>Adds the subscription, or refreshes its keys and name when this user already has the endpoint. Created: a new row.</summary>
    public async Task<(PushSubscriptionDto Subscription, bool Created)> SaveAsync(string userId, string endpoint, string p256dh, string auth,
        string name, CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var cmd = new NpgsqlCommand("SELECT id FROM alerts.user_webhooks WHERE kind = 'push' AND url = @url AND user_id <> @user", conn, tx))
        {
            cmd.Parameters.AddWithValue("url", endpoint);
            cmd.Parameters.AddWithValue("user", userId);
            if (await cmd.ExecuteScalarAsync(cancellationToken) is long other)
            {
                await DeleteAsync(conn, tx, other, "the device subscribed for another account", cancellationToken);
            }
        }
        PushSubscriptionDto saved;
        bool created;
        await using (var cmd = new NpgsqlCommand(
            """
            INSERT INTO alerts.user_webhooks (user_id, kind, url, protected_secret, push_p256dh, name, enabled)
            VALUES (@user, 'push', @url, @secret, @p256dh, @name, true)
            ON CONFLICT (url) WHERE kind = 'push' DO UPDATE SET protected_secret = excluded.protected_secret,
                push_p256dh = excluded.push_p256dh, name = excluded.name, enabled = true
            RETURNING id, url, name, created_at, xmax = 0
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("user", userId);
            cmd.Parameters.AddWithValue("url", endpoint);
            cmd.Parameters.AddWithValue("secret", settings.Protect(auth));
            cmd.Parameters.AddWithValue("p256dh", p256dh);
            cmd.Parameters.AddWithValue("name", name);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            await r.ReadAsync(cancellationToken);
            saved = new PushSubscriptionDto(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3));
            created = r.GetBoolean(4);
        }
        await tx.CommitAsync(cancellationToken);
        return (saved, created);
    }

    public async Task<IReadOnlyList<PushSubscriptionDto>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT id, url, name, created_at FROM alerts.user_webhooks WHERE user_id = @user AND kind = 'push' ORDER BY id");
        cmd.Parameters.AddWithValue("user", userId);
        var list = new List<PushSubscriptionDto>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(new PushSubscriptionDto(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3)));
        }
        return list;
    }

    /// <summary>How many devices <paramref name="userId"/> has besides this endpoint (saving it again is a refresh, not one more).</summary>
    public async Task<int> CountOthersAsync(string userId, string endpoint, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT count(*) FROM alerts.user_webhooks WHERE user_id = @user AND kind = 'push' AND url <> @url");
        cmd.Parameters.AddWithValue("user", userId);
        cmd.Parameters.AddWithValue("url", endpoint);
        return (int)(long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The user removes one of their devices. False when it is not theirs (or gone).</summary>
    public Task<bool> RemoveAsync(string userId, long id, CancellationToken cancellationToken) =>
        RemoveAsync(userId, id, "push subscription removed", cancellationToken);

    /// <summary>The push service answered 404/410: the subscription expired or the user revoked it in the browser.</summary>
    public Task<bool> RemoveExpiredAsync(long id, int statusCode, CancellationToken cancellationToken) =>
        RemoveAsync(null, id, $"push subscription expired (HTTP {statusCode}) and was removed", cancellationToken);

    private async Task<bool> RemoveAsync(string? userId, long id, string reason, CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var cmd = new NpgsqlCommand(
            "SELECT id FROM alerts.user_webhooks WHERE id = @id AND kind = 'push' AND (@user::text IS NULL OR user_id = @user) FOR UPDATE", conn, tx))
        {
            cmd.Parameters.AddWithValue("id", id);
            cmd.Parameters.Add(new NpgsqlParameter("user", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)userId ?? DBNull.Value });
            if (await cmd.ExecuteScalarAsync(cancellationToken) is not long)
            {
                return false;
            }
        }
        await DeleteAsync(conn, tx, id, reason, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Deletes the row and dead-letters what still waits for it (nothing may reach a device that left).</summary>
    private static async Task DeleteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, string reason, CancellationToken cancellationToken)
    {
        await using (var cmd = new NpgsqlCommand(
            "UPDATE alerts.outbox SET status = 'dead', last_error = @reason WHERE webhook_id = @id AND status IN ('pending', 'held')", conn, tx))
        {
            cmd.Parameters.AddWithValue("id", id);
            cmd.Parameters.AddWithValue("reason", reason);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var cmd = new NpgsqlCommand("DELETE FROM alerts.user_webhooks WHERE id = @id AND kind = @kind", conn, tx))
        {
            cmd.Parameters.AddWithValue("id", id);
            cmd.Parameters.AddWithValue("kind", WebhookKinds.Push);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
