using Npgsql;
using NpgsqlTypes;
using Scalpaiboard.Alerts.Model;
using Scalpaiboard.Alerts.Notifications;

namespace Scalpaiboard.Alerts.Infrastructure;

/// <summary>A claimed outbox row on its way to a target.</summary>
public sealed record OutboxMessage(long Id, string Target, string? UserId, long? WebhookId, string Kind, string MessageKind,
    string MessageId, string Payload, int Attempts, DateTimeOffset CreatedAt);

/// <summary>The flood limits a new row is checked against: the user's hourly default, and e-mail's per-minute limit.</summary>
public sealed record FloodLimits(int MaxPerHour, int EmailMaxPerMinute);

public static class OutboxStatus
{
    public const string Pending = "pending";
    public const string Sending = "sending";
    public const string Delivered = "delivered";
    public const string Dead = "dead";
    public const string Held = "held";
    public const string Digested = "digested";

    public static readonly string[] All = [Pending, Sending, Delivered, Dead, Held, Digested];
}

/// <summary>
/// The notification outbox (<c>alerts.outbox</c>). Rows are written in the transaction that creates the signal or
/// trigger (one per target; the unique (target, message_id) makes replays idempotent), then claimed, sent and
/// marked by the delivery worker. A row over its user's hourly budget (or, for an e-mail address, over
/// <c>Notifications:Email:MaxPerMinute</c> in the last minute) is written as <c>held</c> and later folded into one
/// digest per target and period (e-mail: <c>Notifications:Email:DigestIntervalSeconds</c>).
/// </summary>
public sealed class OutboxStore(NpgsqlDataSource dataSource, Microsoft.Extensions.Options.IOptions<NotificationsOptions> notifications)
{
    /// <summary>A held row's digest period in seconds: e-mail rows have their own.</summary>
    private const string PeriodOf = "(CASE WHEN kind = 'email' THEN @emailPeriod ELSE @period END)";

    public static string OperatorTarget(int index) => $"operator:{index}";

    public static string WebhookTarget(long id) => $"webhook:{id}";

    /// <summary>One row per operator target. Returns the number of rows written.</summary>
    public static async Task<int> EnqueueOperatorAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<WebhookTargetOptions> targets,
        string messageKind, string messageId, long refId, string payload, CancellationToken cancellationToken)
    {
        var written = 0;
        for (var i = 0; i < targets.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(targets[i].Url))
            {
                continue;
            }
            await using var cmd = new NpgsqlCommand(
                """
                INSERT INTO alerts.outbox (target, kind, message_kind, message_id, ref_id, payload, status)
                VALUES (@target, @kind, @messageKind, @messageId, @ref, @payload, 'pending')
                ON CONFLICT ON CONSTRAINT outbox_identity DO NOTHING
                """, conn, tx);
            cmd.Parameters.AddWithValue("target", OperatorTarget(i));
            cmd.Parameters.AddWithValue("kind", WebhookKinds.Normalize(targets[i].Kind) ?? WebhookKinds.Generic);
            cmd.Parameters.AddWithValue("messageKind", messageKind);
            cmd.Parameters.AddWithValue("messageId", messageId);
            cmd.Parameters.AddWithValue("ref", refId);
            cmd.Parameters.Add(new NpgsqlParameter("payload", NpgsqlDbType.Json) { Value = payload });
            written += await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        return written;
    }

    /// <summary>
    /// One row per enabled webhook (and confirmed e-mail address) of every user subscribed to this preset (symbol
    /// filter and switch respected), <c>held</c> when the target already had its budget.
    /// </summary>
    public static Task<int> EnqueueSubscribersAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string type, string symbol,
        string messageId, long refId, string payload, FloodLimits limits, CancellationToken cancellationToken) =>
        EnqueueUsersAsync(conn, tx,
            """
            s.notify_preset_signals AND @type = ANY(s.preset_subscriptions)
            AND (cardinality(s.symbol_filter) = 0 OR @symbol = ANY(s.symbol_filter))
            """,
            null, type, symbol, "signal", messageId, refId, payload, limits, cancellationToken);

    /// <summary>One row per enabled webhook of the alert's owner (unless the owner switched alert notifications off).</summary>
    public static Task<int> EnqueueUserAlertAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string userId, string symbol,
        string messageId, long refId, string payload, FloodLimits limits, CancellationToken cancellationToken) =>
        EnqueueUsersAsync(conn, tx, "w.user_id = @user AND coalesce(s.notify_user_alerts, true)",
            userId, "", symbol, "alert", messageId, refId, payload, limits, cancellationToken);

    private static async Task<int> EnqueueUsersAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string filter, string? userId, string type,
        string symbol, string messageKind, string messageId, long refId, string payload, FloodLimits limits, CancellationToken cancellationToken)
    {
        // The budget counts the target's rows of the last hour (e-mail: also of the last minute) that were (or will
        // be) sent on their own. An e-mail address gets nothing before it is confirmed.
        await using var cmd = new NpgsqlCommand(
            $"""
            INSERT INTO alerts.outbox (target, user_id, webhook_id, kind, message_kind, message_id, ref_id, payload, status)
            SELECT 'webhook:' || w.id, w.user_id, w.id, w.kind, @messageKind, @messageId, @ref, @payload,
                   CASE WHEN (SELECT count(*) FROM alerts.outbox o
                              WHERE o.target = 'webhook:' || w.id AND o.created_at > now() - interval '1 hour'
                                AND o.message_kind IN ('signal', 'alert') AND o.status NOT IN ('held', 'digested'))
                             >= coalesce(s.max_notifications_per_hour, @defaultMax)
                          OR (w.kind = 'email' AND (SELECT count(*) FROM alerts.outbox o
                              WHERE o.target = 'webhook:' || w.id AND o.created_at > now() - interval '1 minute'
                                AND o.message_kind IN ('signal', 'alert') AND o.status NOT IN ('held', 'digested'))
                             >= @emailPerMinute)
                        THEN 'held' ELSE 'pending' END
            FROM alerts.user_webhooks w LEFT JOIN alerts.user_settings s ON s.user_id = w.user_id
            WHERE w.enabled AND (w.kind <> 'email' OR w.email_confirmed_at IS NOT NULL) AND {filter}
            ON CONFLICT ON CONSTRAINT outbox_identity DO NOTHING
            """, conn, tx);
        cmd.Parameters.AddWithValue("messageKind", messageKind);
        cmd.Parameters.AddWithValue("messageId", messageId);
        cmd.Parameters.AddWithValue("ref", refId);
        cmd.Parameters.Add(new NpgsqlParameter("payload", NpgsqlDbType.Json) { Value = payload });
        cmd.Parameters.AddWithValue("defaultMax", limits.MaxPerHour);
        cmd.Parameters.AddWithValue("emailPerMinute", limits.EmailMaxPerMinute);
        cmd.Parameters.Add(new NpgsqlParameter("user", NpgsqlDbType.Text) { Value = (object?)userId ?? DBNull.Value });
        cmd.Parameters.AddWithValue("type", type);
        cmd.Parameters.AddWithValue("symbol", symbol);
        return await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Claims due rows for sending (SKIP LOCKED: several workers/replicas never take the same row).</summary>
    public async Task<IReadOnlyList<OutboxMessage>> ClaimDueAsync(int count, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            """
            UPDATE alerts.outbox o SET status = 'sending', locked_until = now() + @lease
            FROM (SELECT id FROM alerts.outbox WHERE status = 'pending' AND next_attempt_at <= now()
                  ORDER BY next_attempt_at, id LIMIT @count FOR UPDATE SKIP LOCKED) due
            WHERE o.id = due.id
            RETURNING o.id, o.target, o.user_id, o.webhook_id, o.kind, o.message_kind, o.message_id, o.payload::text, o.attempts, o.created_at
            """);
        cmd.Parameters.AddWithValue("lease", lease);
        cmd.Parameters.AddWithValue("count", count);
        var list = new List<OutboxMessage>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(new OutboxMessage(r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetInt64(3),
                r.GetString(4), r.GetString(5), r.GetString(6), r.GetString(7), r.GetInt32(8), r.GetFieldValue<DateTimeOffset>(9)));
        }
        list.Sort((a, b) => a.Id.CompareTo(b.Id));
        return list;
    }

    public async Task MarkDeliveredAsync(long id, int statusCode, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            """
            UPDATE alerts.outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = now(), last_status_code = @code,
                last_error = NULL, locked_until = NULL
            WHERE id = @id
            """);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("code", statusCode);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A failed attempt: back to pending at <paramref name="retryAt"/>, or dead when <paramref name="dead"/>.</summary>
    public async Task MarkFailedAsync(long id, int? statusCode, string error, DateTimeOffset retryAt, bool dead, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            """
            UPDATE alerts.outbox SET status = CASE WHEN @dead THEN 'dead' ELSE 'pending' END, attempts = attempts + 1,
                next_attempt_at = @retryAt, last_status_code = @code, last_error = @error, locked_until = NULL
            WHERE id = @id
            """);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("dead", dead);
        cmd.Parameters.AddWithValue("retryAt", retryAt);
        cmd.Parameters.Add(new NpgsqlParameter("code", NpgsqlDbType.Integer) { Value = (object?)statusCode ?? DBNull.Value });
        cmd.Parameters.AddWithValue("error", error.Length > 500 ? error[..500] : error);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Not sent (a local rate limit): back to pending at <paramref name="at"/> without using an attempt.</summary>
    public async Task PostponeAsync(long id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "UPDATE alerts.outbox SET status = 'pending', next_attempt_at = @at, locked_until = NULL WHERE id = @id");
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("at", at);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Rows left 'sending' by a crashed worker go back to pending (they may be sent again: same Idempotency-Key).</summary>
    public async Task<int> ReleaseExpiredLeasesAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "UPDATE alerts.outbox SET status = 'pending', locked_until = NULL WHERE status = 'sending' AND locked_until < now()");
        return await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> AnyDueAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT EXISTS (SELECT 1 FROM alerts.outbox WHERE status = 'pending' AND next_attempt_at <= now())");
        return (bool)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Folds held rows of finished periods into one digest row per target and period. Returns digests written.
    /// <paramref name="periodSeconds"/> is the webhooks' period; e-mail rows use <c>Notifications:Email:DigestIntervalSeconds</c>.
    /// </summary>
    public async Task<int> BuildDigestsAsync(int periodSeconds, CancellationToken cancellationToken)
    {
        var emailPeriod = notifications.Value.Email.DigestIntervalSeconds;
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        var groups = new List<(string Target, string? User, long? Webhook, string Kind, long Period)>();
        await using (var cmd = new NpgsqlCommand(
            $"""
            SELECT target, user_id, webhook_id, kind, floor(extract(epoch FROM created_at) / {PeriodOf})::bigint AS p
            FROM alerts.outbox WHERE status = 'held'
            GROUP BY 1, 2, 3, 4, 5
            HAVING floor(extract(epoch FROM now()) / {PeriodOf})::bigint > floor(extract(epoch FROM created_at) / {PeriodOf})::bigint
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("period", (double)periodSeconds);
            cmd.Parameters.AddWithValue("emailPeriod", (double)emailPeriod);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
            {
                groups.Add((r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetInt64(2), r.GetString(3), r.GetInt64(4)));
            }
        }
        foreach (var g in groups)
        {
            var seconds = g.Kind == WebhookKinds.Email ? emailPeriod : periodSeconds;
            var items = new List<string>();
            await using (var cmd = new NpgsqlCommand(
                """
                SELECT payload::text FROM alerts.outbox
                WHERE status = 'held' AND target = @target AND floor(extract(epoch FROM created_at) / @period)::bigint = @p
                ORDER BY id FOR UPDATE
                """, conn, tx))
            {
                cmd.Parameters.AddWithValue("target", g.Target);
                cmd.Parameters.AddWithValue("period", (double)seconds);
                cmd.Parameters.AddWithValue("p", g.Period);
                await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
                while (await r.ReadAsync(cancellationToken))
                {
                    items.Add(r.GetString(0));
                }
            }
            var from = DateTimeOffset.FromUnixTimeSeconds(g.Period * seconds);
            var messageId = $"digest-{g.Target.Replace(':', '-')}-{g.Period}";
            var payload = NotificationPayloads.Digest(messageId, from, from.AddSeconds(seconds), items);
            await using (var cmd = new NpgsqlCommand(
                """
                WITH digest AS (
                    INSERT INTO alerts.outbox (target, user_id, webhook_id, kind, message_kind, message_id, payload, status)
                    VALUES (@target, @user, @webhook, @kind, 'digest', @messageId, @payload, 'pending')
                    ON CONFLICT ON CONSTRAINT outbox_identity DO UPDATE SET status = alerts.outbox.status
                    RETURNING id
                )
                UPDATE alerts.outbox SET status = 'digested', digest_id = (SELECT id FROM digest)
                WHERE status = 'held' AND target = @target AND floor(extract(epoch FROM created_at) / @period)::bigint = @p
                """, conn, tx))
            {
                cmd.Parameters.AddWithValue("target", g.Target);
                cmd.Parameters.Add(new NpgsqlParameter("user", NpgsqlDbType.Text) { Value = (object?)g.User ?? DBNull.Value });
                cmd.Parameters.Add(new NpgsqlParameter("webhook", NpgsqlDbType.Bigint) { Value = (object?)g.Webhook ?? DBNull.Value });
                cmd.Parameters.AddWithValue("kind", g.Kind);
                cmd.Parameters.AddWithValue("messageId", messageId);
                cmd.Parameters.Add(new NpgsqlParameter("payload", NpgsqlDbType.Json) { Value = payload });
                cmd.Parameters.AddWithValue("period", (double)seconds);
                cmd.Parameters.AddWithValue("p", g.Period);
                await cmd.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        await tx.CommitAsync(cancellationToken);
        return groups.Count;
    }

    public async Task<IReadOnlyList<NotificationDto>> ListForUserAsync(string userId, string? status, int limit, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            """
            SELECT id, target, webhook_id, kind, message_kind, message_id, ref_id, status, attempts, last_status_code, last_error,
                   created_at, next_attempt_at, delivered_at
            FROM alerts.outbox WHERE user_id = @user AND (@status::text IS NULL OR status = @status)
            ORDER BY id DESC LIMIT @limit
            """);
        cmd.Parameters.AddWithValue("user", userId);
        cmd.Parameters.Add(new NpgsqlParameter("status", NpgsqlDbType.Text) { Value = (object?)status ?? DBNull.Value });
        cmd.Parameters.AddWithValue("limit", limit);
        var list = new List<NotificationDto>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(new NotificationDto(r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetInt64(2), r.GetString(3), r.GetString(4),
                r.GetString(5), r.IsDBNull(6) ? null : r.GetInt64(6), r.GetString(7), r.GetInt32(8), r.IsDBNull(9) ? null : r.GetInt32(9),
                r.IsDBNull(10) ? null : r.GetString(10), r.GetFieldValue<DateTimeOffset>(11), r.GetFieldValue<DateTimeOffset>(12),
                r.IsDBNull(13) ? null : r.GetFieldValue<DateTimeOffset>(13)));
        }
        return list;
    }

    public async Task<int> DeleteFinishedOlderThanAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "DELETE FROM alerts.outbox WHERE status IN ('delivered', 'dead', 'digested') AND created_at < @t");
        cmd.Parameters.AddWithValue("t", before);
        return await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
