using Npgsql;

namespace Scalpaiboard.Ai.Infrastructure;

public sealed record ExportFile(string Format, string FileName, string Content)
{
    public string ContentType => Format == "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8";
}

/// <summary>Files produced by export_results, readable only by the user who asked for them.</summary>
public sealed class ExportStore(NpgsqlDataSource db)
{
    public async Task<Guid> SaveAsync(string userId, Guid? conversationId, ExportFile file, CancellationToken cancellationToken)
    {
        var id = Guid.CreateVersion7();
        await using var cmd = db.CreateCommand(
            "INSERT INTO ai.exports (id, user_id, conversation_id, format, file_name, content) VALUES ($1, $2, $3, $4, $5, $6)");
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(userId);
        cmd.Parameters.AddWithValue(conversationId is { } c ? c : DBNull.Value);
        cmd.Parameters.AddWithValue(file.Format);
        cmd.Parameters.AddWithValue(file.FileName);
        cmd.Parameters.AddWithValue(file.Content);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
        return id;
    }

    public async Task<ExportFile?> GetAsync(string userId, Guid id, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand("SELECT format, file_name, content FROM ai.exports WHERE id = $1 AND user_id = $2");
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(userId);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new ExportFile(reader.GetString(0), reader.GetString(1), reader.GetString(2))
            : null;
    }
}
