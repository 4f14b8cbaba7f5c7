using Microsoft.AspNetCore.DataProtection;
using Npgsql;
using NpgsqlTypes;
using Scalpaiboard.Alerts.Model;
using Scalpaiboard.Alerts.Notifications;

namespace Scalpaiboard.Alerts.Infrastructure;

/// <summary>
/// A webhook target with its secret, as the delivery worker needs it. <see cref="IsOperatorTarget"/>: configured by
/// the operator (trusted, may be on loopback), not typed in by a user.
/// </summary>
/// <see cref="Confirmed"/>: false for an e-mail address whose owner has not opened the confirmation link yet.
/// <see cref="PublicKey"/>: a push subscription's <c>p256dh</c> (its <see cref="Secret"/> is the auth secret).
public sealed record WebhookTarget(string Kind, string Url, string? Secret, string? ChatId, bool IsOperatorTarget = false, bool Confirmed = true,
    string? PublicKey = null);

/// <summary>Validated settings to store; webhooks without a secret keep their stored one (matched by id).</summary>
public sealed record SettingsUpdate(
    IReadOnlyList<string> PresetSubscriptions,
    IReadOnlyList<string> SymbolFilter,
    IReadOnlyList<WebhookRequest> Webhooks,
    bool NotifyPresetSignals,
    bool NotifyUserAlerts,
    int? MaxNotificationsPerHour);

/// <summary>
/// <c>alerts.user_settings</c> and <c>alerts.user_webhooks</c>, scoped by user. Webhook secrets (signing secrets,
/// Telegram bot tokens) are stored encrypted with Data Protection (<see cref="SecretsPurpose"/>), never in plaintext.
/// </summary>
/// An e-mail channel (kind <c>email</c>) that is new or has a new address is unconfirmed: the save writes its
/// confirmation mail to the outbox in the same transaction, and nothing else is sent to it until the link is opened.
/// Push subscriptions (kind <c>push</c>) live in the same table but belong to <see cref="PushSubscriptionStore"/>: the
/// settings neither show nor replace them.
public sealed class SettingsStore(NpgsqlDataSource dataSource, IDataProtectionProvider dataProtection, EmailConfirmations confirmations)
{
    public const string SecretsPurpose = "Scalpaiboard.Alerts.WebhookSecrets.v1";

    private readonly IDataProtector _secrets = dataProtection.CreateProtector(SecretsPurpose);

    /// <summary>The stored form of a secret.</summary>
    public string Protect(string secret) => _secrets.Protect(secret);

    public async Task<SettingsDto> GetAsync(string userId, int defaultMaxPerHour, CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ReadAsync(conn, null, userId, defaultMaxPerHour, cancellationToken);
    }

    public async Task<SettingsDto> SaveAsync(string userId, SettingsUpdate update, int defaultMaxPerHour, CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var cmd = new NpgsqlCommand(
            """
            INSERT INTO alerts.user_settings (user_id, preset_subscriptions, symbol_filter, notify_preset_signals, notify_user_alerts, max_notifications_per_hour, updated_at)
            VALUES (@user, @presets, @symbols, @signals, @alerts, @max, now())
            ON CONFLICT (user_id) DO UPDATE SET preset_subscriptions = excluded.preset_subscriptions,
                symbol_filter = excluded.symbol_filter, notify_preset_signals = excluded.notify_preset_signals,
                notify_user_alerts = excluded.notify_user_alerts, max_notifications_per_hour = excluded.max_notifications_per_hour,
                updated_at = now()
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("user", userId);
            cmd.Parameters.AddWithValue("presets", update.PresetSubscriptions.ToArray());
            cmd.Parameters.AddWithValue("symbols", update.SymbolFilter.ToArray());
            cmd.Parameters.AddWithValue("signals", update.NotifyPresetSignals);
            cmd.Parameters.AddWithValue("alerts", update.NotifyUserAlerts);
            cmd.Parameters.AddWithValue("max", (object?)update.MaxNotificationsPerHour ?? DBNull.Value);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        var before = new Dictionary<long, (string Kind, string Url)>();
        await using (var cmd = new NpgsqlCommand("SELECT id, kind, url FROM alerts.user_webhooks WHERE user_id = @user AND kind <> 'push'", conn, tx))
        {
            cmd.Parameters.AddWithValue("user", userId);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
            {
                before[r.GetInt64(0)] = (r.GetString(1), r.GetString(2));
            }
        }
        var keep = update.Webhooks.Where(w => w.Id is not null).Select(w => w.Id!.Value).ToArray();
        await using (var cmd = new NpgsqlCommand("DELETE FROM alerts.user_webhooks WHERE user_id = @user AND kind <> 'push' AND NOT (id = ANY(@keep))", conn, tx))
        {
            cmd.Parameters.AddWithValue("user", userId);
            cmd.Parameters.AddWithValue("keep", keep);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        foreach (var w in update.Webhooks)
        {
            await using var cmd = w.Id is null
                ? new NpgsqlCommand(
                    """
                    INSERT INTO alerts.user_webhooks (user_id, kind, url, protected_secret, chat_id, name, enabled)
                    VALUES (@user, @kind, @url, @secret, @chat, @name, @enabled) RETURNING id
                    """, conn, tx)
                : new NpgsqlCommand(
                    """
                    UPDATE alerts.user_webhooks SET kind = @kind, url = @url, protected_secret = coalesce(@secret, protected_secret),
                        chat_id = @chat, name = @name, enabled = @enabled
                    WHERE user_id = @user AND id = @id AND kind <> 'push' RETURNING id
                    """, conn, tx);
            cmd.Parameters.AddWithValue("user", userId);
            cmd.Parameters.AddWithValue("kind", w.Kind!);
            cmd.Parameters.AddWithValue("url", w.Url!);
            cmd.Parameters.AddWithValue("secret", string.IsNullOrEmpty(w.Secret) ? DBNull.Value : Protect(w.Secret));
            cmd.Parameters.AddWithValue("chat", (object?)w.ChatId ?? DBNull.Value);
            cmd.Parameters.AddWithValue("name", w.Name ?? "");
            cmd.Parameters.AddWithValue("enabled", w.Enabled ?? true);
            if (w.Id is long id)
            {
                cmd.Parameters.AddWithValue("id", id);
            }
            if (await cmd.ExecuteScalarAsync(cancellationToken) is not long savedId)
            {
                continue; // removed meanwhile by a concurrent save of the same user
            }
            var changed = w.Id is not long old || !before.TryGetValue(old, out var was) || was.Kind != w.Kind
                || !string.Equals(was.Url, w.Url, StringComparison.OrdinalIgnoreCase);
            if (w.Kind == WebhookKinds.Email && changed)
            {
                await RequestConfirmationAsync(conn, tx, userId, savedId, w.Url!, cancellationToken);
            }
        }
        var result = await ReadAsync(conn, tx, userId, defaultMaxPerHour, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>
    /// Marks the channel unconfirmed with a new nonce and writes its confirmation mail to the outbox (not subject to
    /// the flood limits; the only mail an unconfirmed address gets).
    /// </summary>
    private async Task RequestConfirmationAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string userId, long webhookId, string address,
        CancellationToken cancellationToken)
    {
        var nonce = EmailConfirmations.NewNonce();
        await using (var cmd = new NpgsqlCommand(
            "UPDATE alerts.user_webhooks SET email_confirmed_at = NULL, email_confirm_nonce = @nonce WHERE id = @id", conn, tx))
        {
            cmd.Parameters.AddWithValue("id", webhookId);
            cmd.Parameters.AddWithValue("nonce", nonce);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        // An earlier confirmation mail still waiting (an SMTP outage) would carry a dead link, maybe for another address.
        await using (var cmd = new NpgsqlCommand(
            """
            UPDATE alerts.outbox SET status = 'dead', last_error = 'superseded by a newer confirmation mail'
            WHERE webhook_id = @id AND message_kind = 'confirmation' AND status = 'pending'
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("id", webhookId);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        var (link, expires) = confirmations.Link(webhookId, nonce);
        var messageId = "confirm-" + nonce;
        await using (var cmd = new NpgsqlCommand(
            """
            INSERT INTO alerts.outbox (target, user_id, webhook_id, kind, message_kind, message_id, payload, status)
            VALUES (@target, @user, @webhook, 'email', 'confirmation', @messageId, @payload, 'pending')
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("target", OutboxStore.WebhookTarget(webhookId));
            cmd.Parameters.AddWithValue("user", userId);
            cmd.Parameters.AddWithValue("webhook", webhookId);
            cmd.Parameters.AddWithValue("messageId", messageId);
            cmd.Parameters.Add(new NpgsqlParameter("payload", NpgsqlDbType.Json) { Value = NotificationPayloads.EmailConfirmation(messageId, address, link, expires) });
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Uses a confirmation link: confirms the channel if the nonce is still its pending one. Returns the address, or null.</summary>
    public async Task<string?> ConfirmEmailAsync(long webhookId, string nonce, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            """
            UPDATE alerts.user_webhooks SET email_confirmed_at = now(), email_confirm_nonce = NULL
            WHERE id = @id AND kind = 'email' AND email_confirm_nonce = @nonce
            RETURNING url
            """);
        cmd.Parameters.AddWithValue("id", webhookId);
        cmd.Parameters.AddWithValue("nonce", nonce);
        return await cmd.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>Ids of the user's webhooks (to tell a foreign id from an own one); push subscriptions are not among them.</summary>
    public async Task<HashSet<long>> OwnWebhookIdsAsync(string userId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("SELECT id FROM alerts.user_webhooks WHERE user_id = @user AND kind <> 'push'");
        cmd.Parameters.AddWithValue("user", userId);
        var set = new HashSet<long>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            set.Add(r.GetInt64(0));
        }
        return set;
    }

    /// <summary>A webhook with its secret; <paramref name="userId"/> null for the delivery worker (any owner).</summary>
    public async Task<WebhookTarget?> GetWebhookAsync(string? userId, long id, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            """
            SELECT kind, url, protected_secret, chat_id, kind <> 'email' OR email_confirmed_at IS NOT NULL, push_p256dh
            FROM alerts.user_webhooks WHERE id = @id AND (@user::text IS NULL OR user_id = @user) AND enabled
            """);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.Add(new NpgsqlParameter("user", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)userId ?? DBNull.Value });
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await r.ReadAsync(cancellationToken))
        {
            return null;
        }
        return new WebhookTarget(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : _secrets.Unprotect(r.GetString(2)),
            r.IsDBNull(3) ? null : r.GetString(3), Confirmed: r.GetBoolean(4), PublicKey: r.IsDBNull(5) ? null : r.GetString(5));
    }

    private static async Task<SettingsDto> ReadAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string userId, int defaultMaxPerHour,
        CancellationToken cancellationToken)
    {
        SettingsDto settings;
        await using (var cmd = new NpgsqlCommand(
            "SELECT preset_subscriptions, symbol_filter, notify_preset_signals, notify_user_alerts, max_notifications_per_hour FROM alerts.user_settings WHERE user_id = @user",
            conn, tx))
        {
            cmd.Parameters.AddWithValue("user", userId);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            settings = await r.ReadAsync(cancellationToken)
                ? new SettingsDto(r.GetFieldValue<string[]>(0), r.GetFieldValue<string[]>(1), [],
                    new NotificationSwitches(r.GetBoolean(2), r.GetBoolean(3)), r.IsDBNull(4) ? defaultMaxPerHour : r.GetInt32(4))
                : new SettingsDto([], [], [], new NotificationSwitches(true, true), defaultMaxPerHour);
        }
        var hooks = new List<WebhookDto>();
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT id, kind, url, protected_secret IS NOT NULL, chat_id, name, enabled,
                   CASE WHEN kind = 'email' THEN email_confirmed_at IS NOT NULL END
            FROM alerts.user_webhooks WHERE user_id = @user AND kind <> 'push' ORDER BY id
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("user", userId);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
            {
                hooks.Add(new WebhookDto(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetBoolean(3), r.IsDBNull(4) ? null : r.GetString(4),
                    r.GetString(5), r.GetBoolean(6), r.IsDBNull(7) ? null : r.GetBoolean(7)));
            }
        }
        return settings with { Webhooks = hooks };
    }
}
