using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Scalpaiboard.Alerts.Model;
using Scalpaiboard.Infrastructure.Postgres;

namespace Scalpaiboard.Alerts.Infrastructure;

/// <summary>A user alert for evaluation: the enabled ones, grouped by symbol in the evaluator's cache.</summary>
public sealed record ActiveAlert(long Id, string UserId, string Symbol, IReadOnlyList<AlertConditionDto> Conditions,
    bool Recurring, int CooldownMinutes, string Note, long? LastTriggeredOpenTime);

/// <summary><c>alerts.user_alerts</c> and <c>alerts.alert_triggers</c>. Every query is scoped by user id.</summary>
public sealed class UserAlertStore(NpgsqlDataSource dataSource)
{
    private const string Columns =
        "id, symbol, conditions::text, recurring, cooldown_minutes, note, enabled, created_at, updated_at, last_triggered_open_time, last_triggered_at, trigger_count";

    public async Task<IReadOnlyList<AlertDto>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT {Columns} FROM alerts.user_alerts WHERE user_id = @user ORDER BY id");
        cmd.Parameters.AddWithValue("user", userId);
        return await ReadAlertsAsync(cmd, cancellationToken);
    }

    public async Task<AlertDto?> GetAsync(string userId, long id, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT {Columns} FROM alerts.user_alerts WHERE user_id = @user AND id = @id");
        cmd.Parameters.AddWithValue("user", userId);
        cmd.Parameters.AddWithValue("id", id);
        var list = await ReadAlertsAsync(cmd, cancellationToken);
        return list.Count == 0 ? null : list[0];
    }

    /// <summary>
    /// Creates an alert unless the user already has <paramref name="maxAlerts"/> (null then; see <see cref="UserQuota"/>).
    /// </summary>
    public async Task<AlertDto?> CreateAsync(string userId, string symbol, IReadOnlyList<AlertConditionDto> conditions, bool recurring,
        int cooldownMinutes, string note, bool enabled, int maxAlerts, CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        if (!await UserQuota.HasRoomAsync(conn, tx, "alerts.user_alerts", userId, maxAlerts, cancellationToken))
        {
            return null;
        }
        await using var cmd = new NpgsqlCommand(
            $"""
            INSERT INTO alerts.user_alerts (user_id, symbol, conditions, recurring, cooldown_minutes, note, enabled)
            VALUES (@user, @symbol, @conditions, @recurring, @cooldown, @note, @enabled)
            RETURNING {Columns}
            """, conn, tx);
        AddAlertParameters(cmd, userId, symbol, conditions, recurring, cooldownMinutes, note, enabled);
        var created = (await ReadAlertsAsync(cmd, cancellationToken))[0];
        await tx.CommitAsync(cancellationToken);
        return created;
    }

    public async Task<AlertDto?> UpdateAsync(string userId, long id, string symbol, IReadOnlyList<AlertConditionDto> conditions, bool recurring,
        int cooldownMinutes, string note, bool enabled, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            $"""
            UPDATE alerts.user_alerts SET symbol = @symbol, conditions = @conditions, recurring = @recurring,
                cooldown_minutes = @cooldown, note = @note, enabled = @enabled, updated_at = now()
            WHERE user_id = @user AND id = @id
            RETURNING {Columns}
            """);
        AddAlertParameters(cmd, userId, symbol, conditions, recurring, cooldownMinutes, note, enabled);
        cmd.Parameters.AddWithValue("id", id);
        var list = await ReadAlertsAsync(cmd, cancellationToken);
        return list.Count == 0 ? null : list[0];
    }

    public async Task<bool> DeleteAsync(string userId, long id, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("DELETE FROM alerts.user_alerts WHERE user_id = @user AND id = @id");
        cmd.Parameters.AddWithValue("user", userId);
        cmd.Parameters.AddWithValue("id", id);
        return await cmd.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyList<AlertTriggerDto>> HistoryAsync(string userId, long alertId, int limit, CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        var triggers = new List<(long Id, string Symbol, long OpenTime, double Price, string Metrics)>();
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT id, symbol, open_time, price, metrics::text FROM alerts.alert_triggers
            WHERE user_id = @user AND alert_id = @alert ORDER BY open_time DESC, id DESC LIMIT @limit
            """, conn))
        {
            cmd.Parameters.AddWithValue("user", userId);
            cmd.Parameters.AddWithValue("alert", alertId);
            cmd.Parameters.AddWithValue("limit", limit);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
            {
                triggers.Add((r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetDouble(3), r.GetString(4)));
            }
        }
        var deliveries = new Dictionary<long, List<DeliveryDto>>();
        if (triggers.Count > 0)
        {
            await using var cmd = new NpgsqlCommand(
                """
                SELECT ref_id, id, target, kind, status, attempts, last_status_code, last_error, delivered_at
                FROM alerts.outbox WHERE message_kind = 'alert' AND user_id = @user AND ref_id = ANY(@ids) ORDER BY id
                """, conn);
            cmd.Parameters.AddWithValue("user", userId);
            cmd.Parameters.AddWithValue("ids", triggers.Select(t => t.Id).ToArray());
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
            {
                var refId = r.GetInt64(0);
                if (!deliveries.TryGetValue(refId, out var list))
                {
                    deliveries[refId] = list = [];
                }
                list.Add(new DeliveryDto(r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt32(5),
                    r.IsDBNull(6) ? null : r.GetInt32(6), r.IsDBNull(7) ? null : r.GetString(7),
                    r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8)));
            }
        }
        return triggers.Select(t => new AlertTriggerDto(t.Id, alertId, t.Symbol, t.OpenTime, CandleTime.CloseOf(t.OpenTime), SignalDto.Finite(t.Price),
            Json.Parse(t.Metrics), deliveries.TryGetValue(t.Id, out var d) ? d : [])).ToList();
    }

    /// <summary>Every enabled alert (the evaluator's cache), with its owner.</summary>
    public async Task<IReadOnlyList<ActiveAlert>> ActiveAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT id, user_id, symbol, conditions::text, recurring, cooldown_minutes, note, last_triggered_open_time FROM alerts.user_alerts WHERE enabled");
        var list = new List<ActiveAlert>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(new ActiveAlert(r.GetInt64(0), r.GetString(1), r.GetString(2), ParseConditions(r.GetString(3)),
                r.GetBoolean(4), r.GetInt32(5), r.GetString(6), r.IsDBNull(7) ? null : r.GetInt64(7)));
        }
        return list;
    }

    /// <summary>
    /// Records a trigger inside the consumer's transaction when the alert is still enabled and out of its cooldown:
    /// a once alert is disabled, a recurring one remembers the candle. Returns the trigger id, or null when the
    /// alert was not eligible (deleted, disabled, cooling down) or this candle already triggered it.
    /// </summary>
    public static async Task<long?> TryTriggerAsync(NpgsqlConnection conn, NpgsqlTransaction tx, ActiveAlert alert, long openTime,
        double price, string metricsJson, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(
            """
            WITH eligible AS (
                UPDATE alerts.user_alerts
                SET enabled = recurring, last_triggered_open_time = @openTime, last_triggered_at = now(),
                    trigger_count = trigger_count + 1
                WHERE id = @id AND enabled
                  AND (last_triggered_open_time IS NULL
                       OR (@openTime > last_triggered_open_time
                           AND @openTime >= last_triggered_open_time + cooldown_minutes::bigint * 60000))
                RETURNING id, user_id, symbol
            )
            INSERT INTO alerts.alert_triggers (alert_id, user_id, symbol, open_time, price, metrics)
            SELECT id, user_id, symbol, @openTime, @price, @metrics FROM eligible
            ON CONFLICT ON CONSTRAINT alert_triggers_identity DO NOTHING
            RETURNING id
            """, conn, tx);
        cmd.Parameters.AddWithValue("id", alert.Id);
        cmd.Parameters.AddWithValue("openTime", openTime);
        cmd.Parameters.AddWithValue("price", price);
        cmd.Parameters.Add(new NpgsqlParameter("metrics", NpgsqlDbType.Jsonb) { Value = metricsJson });
        var id = await cmd.ExecuteScalarAsync(cancellationToken);
        return id is long l ? l : null;
    }

    public async Task<int> DeleteTriggersOlderThanAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("DELETE FROM alerts.alert_triggers WHERE created_at < @t");
        cmd.Parameters.AddWithValue("t", before);
        return await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void AddAlertParameters(NpgsqlCommand cmd, string userId, string symbol, IReadOnlyList<AlertConditionDto> conditions,
        bool recurring, int cooldownMinutes, string note, bool enabled)
    {
        cmd.Parameters.AddWithValue("user", userId);
        cmd.Parameters.AddWithValue("symbol", symbol);
        cmd.Parameters.Add(new NpgsqlParameter("conditions", NpgsqlDbType.Jsonb) { Value = Json.Serialize(conditions) });
        cmd.Parameters.AddWithValue("recurring", recurring);
        cmd.Parameters.AddWithValue("cooldown", cooldownMinutes);
        cmd.Parameters.AddWithValue("note", note);
        cmd.Parameters.AddWithValue("enabled", enabled);
    }

    private static async Task<IReadOnlyList<AlertDto>> ReadAlertsAsync(NpgsqlCommand cmd, CancellationToken cancellationToken)
    {
        var list = new List<AlertDto>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(new AlertDto(r.GetInt64(0), r.GetString(1), ParseConditions(r.GetString(2)), r.GetBoolean(3), r.GetInt32(4),
                r.GetString(5), r.GetBoolean(6), r.GetFieldValue<DateTimeOffset>(7), r.GetFieldValue<DateTimeOffset>(8),
                r.IsDBNull(9) ? null : r.GetInt64(9), r.IsDBNull(10) ? null : r.GetFieldValue<DateTimeOffset>(10), r.GetInt32(11)));
        }
        return list;
    }

    private static IReadOnlyList<AlertConditionDto> ParseConditions(string json) =>
        JsonSerializer.Deserialize<List<AlertConditionDto>>(json, Json.Options) ?? [];
}
