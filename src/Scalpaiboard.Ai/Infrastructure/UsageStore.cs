using Npgsql;
using Scalpaiboard.Ai.Model;

namespace Scalpaiboard.Ai.Infrastructure;

/// <summary>Tokens and cost per user, provider and UTC day.</summary>
public sealed class UsageStore(NpgsqlDataSource db)
{
    public async Task RecordAsync(string userId, string provider, DateOnly day, long promptTokens, long completionTokens, decimal cost,
        bool failed, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO ai.usage_daily AS u (user_id, provider, day, requests, failed_requests, prompt_tokens, completion_tokens, cost)
            VALUES ($1, $2, $3, 1, $4, $5, $6, $7)
            ON CONFLICT (user_id, provider, day) DO UPDATE SET
                requests = u.requests + 1,
                failed_requests = u.failed_requests + EXCLUDED.failed_requests,
                prompt_tokens = u.prompt_tokens + EXCLUDED.prompt_tokens,
                completion_tokens = u.completion_tokens + EXCLUDED.completion_tokens,
                cost = u.cost + EXCLUDED.cost
            """);
        cmd.Parameters.AddWithValue(userId);
        cmd.Parameters.AddWithValue(provider);
        cmd.Parameters.AddWithValue(day);
        cmd.Parameters.AddWithValue(failed ? 1 : 0);
        cmd.Parameters.AddWithValue(promptTokens);
        cmd.Parameters.AddWithValue(completionTokens);
        cmd.Parameters.AddWithValue(cost);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<decimal> CostSinceAsync(string userId, string provider, DateOnly from, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand(
            "SELECT coalesce(sum(cost), 0) FROM ai.usage_daily WHERE user_id = $1 AND provider = $2 AND day >= $3");
        cmd.Parameters.AddWithValue(userId);
        cmd.Parameters.AddWithValue(provider);
        cmd.Parameters.AddWithValue(from);
        return Convert.ToDecimal(await cmd.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<IReadOnlyList<UsageDay>> DaysAsync(string userId, DateOnly from, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand("""
            SELECT provider, day, requests, failed_requests, prompt_tokens, completion_tokens, cost
            FROM ai.usage_daily WHERE user_id = $1 AND day >= $2 ORDER BY day DESC, provider
            """);
        cmd.Parameters.AddWithValue(userId);
        cmd.Parameters.AddWithValue(from);
        var list = new List<UsageDay>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(new UsageDay(r.GetString(0), r.GetFieldValue<DateOnly>(1), r.GetInt32(2), r.GetInt32(3), r.GetInt64(4),
                r.GetInt64(5), r.GetDecimal(6)));
        }
        return list;
    }
}
