using Scalpaiboard.Infrastructure.Postgres;
using Npgsql;

namespace Scalpaiboard.Ai.Infrastructure;

/// <summary>A user's provider entry as stored; <see cref="ProtectedKey"/> is Data Protection ciphertext.</summary>
public sealed record ProviderEntry(Guid Id, string UserId, string Name, string Preset, string? BaseUrl, string? Model,
    string? ProtectedKey, string? KeyHint, decimal? MonthlyBudget, decimal? InputPricePer1M, decimal? OutputPricePer1M,
    DateTime CreatedAt, DateTime UpdatedAt);

public sealed class ProviderStore(NpgsqlDataSource db)
{
    private const string Columns = """
        id, user_id, name, preset, base_url, model, api_key_protected, key_hint, monthly_budget, input_price_per_1m,
        output_price_per_1m, created_at, updated_at
        """;

    public async Task<IReadOnlyList<ProviderEntry>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand($"SELECT {Columns} FROM ai.providers WHERE user_id = $1 ORDER BY created_at");
        cmd.Parameters.AddWithValue(userId);
        return await ReadAsync(cmd, cancellationToken);
    }

    public async Task<ProviderEntry?> GetAsync(string userId, Guid id, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand($"SELECT {Columns} FROM ai.providers WHERE id = $1 AND user_id = $2");
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(userId);
        return (await ReadAsync(cmd, cancellationToken)).FirstOrDefault();
    }

    /// <summary>Stores a new entry unless its user already has <paramref name="max"/> (false then; see <see cref="UserQuota"/>).</summary>
    public async Task<bool> InsertAsync(ProviderEntry e, int max, CancellationToken cancellationToken)
    {
        await using var conn = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        if (!await UserQuota.HasRoomAsync(conn, tx, "ai.providers", e.UserId, max, cancellationToken))
        {
            return false;
        }
        await using var cmd = new NpgsqlCommand($"""
            INSERT INTO ai.providers ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now(), now())
            """, conn, tx);
        AddValues(cmd, e);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<bool> UpdateAsync(ProviderEntry e, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand("""
            UPDATE ai.providers SET name = $3, preset = $4, base_url = $5, model = $6, api_key_protected = $7, key_hint = $8,
                monthly_budget = $9, input_price_per_1m = $10, output_price_per_1m = $11, updated_at = now()
            WHERE id = $1 AND user_id = $2
            """);
        AddValues(cmd, e);
        return await cmd.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<bool> DeleteAsync(string userId, Guid id, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand("DELETE FROM ai.providers WHERE id = $1 AND user_id = $2");
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(userId);
        return await cmd.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    private static void AddValues(NpgsqlCommand cmd, ProviderEntry e)
    {
        cmd.Parameters.AddWithValue(e.Id);
        cmd.Parameters.AddWithValue(e.UserId);
        cmd.Parameters.AddWithValue(e.Name);
        cmd.Parameters.AddWithValue(e.Preset);
        cmd.Parameters.AddWithValue((object?)e.BaseUrl ?? DBNull.Value);
        cmd.Parameters.AddWithValue((object?)e.Model ?? DBNull.Value);
        cmd.Parameters.AddWithValue((object?)e.ProtectedKey ?? DBNull.Value);
        cmd.Parameters.AddWithValue((object?)e.KeyHint ?? DBNull.Value);
        cmd.Parameters.AddWithValue((object?)e.MonthlyBudget ?? DBNull.Value);
        cmd.Parameters.AddWithValue((object?)e.InputPricePer1M ?? DBNull.Value);
        cmd.Parameters.AddWithValue((object?)e.OutputPricePer1M ?? DBNull.Value);
    }

    private static async Task<List<ProviderEntry>> ReadAsync(NpgsqlCommand cmd, CancellationToken cancellationToken)
    {
        var list = new List<ProviderEntry>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(new ProviderEntry(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), Str(r, 4), Str(r, 5),
                Str(r, 6), Str(r, 7), Dec(r, 8), Dec(r, 9), Dec(r, 10), r.GetDateTime(11), r.GetDateTime(12)));
        }
        return list;
    }

    private static string? Str(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static decimal? Dec(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDecimal(i);
}
