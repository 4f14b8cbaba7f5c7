using Scalpaiboard.Infrastructure.Postgres;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;
using Scalpaiboard.Ai.Model;

namespace Scalpaiboard.Ai.Infrastructure;

/// <summary>Conversations and their messages, strictly per user: every query is scoped by the user id.</summary>
public sealed class ConversationStore(NpgsqlDataSource db)
{
    /// <summary>A new conversation, or null when the user already keeps <paramref name="max"/> (see <see cref="UserQuota"/>).</summary>
    public async Task<Guid?> CreateAsync(string userId, string title, string provider, int max, CancellationToken cancellationToken)
    {
        var id = Guid.CreateVersion7();
        await using var conn = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        if (!await UserQuota.HasRoomAsync(conn, tx, "ai.conversations", userId, max, cancellationToken))
        {
            return null;
        }
        await using var cmd = new NpgsqlCommand("INSERT INTO ai.conversations (id, user_id, title, provider) VALUES ($1, $2, $3, $4)", conn, tx);
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(userId);
        cmd.Parameters.AddWithValue(title);
        cmd.Parameters.AddWithValue(provider);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return id;
    }

    public async Task<bool> ExistsAsync(string userId, Guid id, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand("SELECT 1 FROM ai.conversations WHERE id = $1 AND user_id = $2");
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(userId);
        return await cmd.ExecuteScalarAsync(cancellationToken) is not null;
    }

    public async Task<IReadOnlyList<ConversationSummary>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand("""
            SELECT c.id, c.title, c.provider, c.created_at, c.updated_at,
                   (SELECT count(*) FROM ai.messages m WHERE m.conversation_id = c.id)::int
            FROM ai.conversations c WHERE c.user_id = $1 ORDER BY c.updated_at DESC LIMIT 500
            """);
        cmd.Parameters.AddWithValue(userId);
        var list = new List<ConversationSummary>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(new ConversationSummary(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetDateTime(3), r.GetDateTime(4), r.GetInt32(5)));
        }
        return list;
    }

    public async Task<ConversationDetail?> GetAsync(string userId, Guid id, CancellationToken cancellationToken)
    {
        ConversationDetail? detail;
        await using (var cmd = db.CreateCommand("SELECT title, provider, created_at, updated_at FROM ai.conversations WHERE id = $1 AND user_id = $2"))
        {
            cmd.Parameters.AddWithValue(id);
            cmd.Parameters.AddWithValue(userId);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            if (!await r.ReadAsync(cancellationToken))
            {
                return null;
            }
            detail = new ConversationDetail(id, r.GetString(0), r.GetString(1), r.GetDateTime(2), r.GetDateTime(3), []);
        }
        return detail with { Messages = await MessagesAsync(id, cancellationToken) };
    }

    public async Task<bool> DeleteAsync(string userId, Guid id, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand("DELETE FROM ai.conversations WHERE id = $1 AND user_id = $2");
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(userId);
        return await cmd.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    /// <summary>Messages of a conversation, oldest first (the caller has checked ownership).</summary>
    public async Task<IReadOnlyList<StoredMessage>> MessagesAsync(Guid conversationId, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand("""
            SELECT id, role, content, tool_calls::text, tool_call_id, tool_name, status, error, created_at
            FROM ai.messages WHERE conversation_id = $1 ORDER BY id
            """);
        cmd.Parameters.AddWithValue(conversationId);
        var list = new List<StoredMessage>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(new StoredMessage(r.GetInt64(0), r.GetString(1), Text(r, 2), Calls(Text(r, 3)), Text(r, 4), Text(r, 5),
                r.GetString(6), Text(r, 7), r.GetDateTime(8)));
        }
        return list;
    }

    public async Task AddMessageAsync(Guid conversationId, string role, string? content, IReadOnlyList<StoredToolCall>? toolCalls,
        string? toolCallId, string? toolName, string status, string? error, CancellationToken cancellationToken)
    {
        await using var batch = db.CreateBatch();
        var insert = new NpgsqlBatchCommand("""
            INSERT INTO ai.messages (conversation_id, role, content, tool_calls, tool_call_id, tool_name, status, error)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """);
        insert.Parameters.AddWithValue(conversationId);
        insert.Parameters.AddWithValue(role);
        insert.Parameters.AddWithValue((object?)content ?? DBNull.Value);
        insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb,
            Value = toolCalls is null ? DBNull.Value : JsonSerializer.Serialize(toolCalls, JsonSerializerOptions.Web) });
        insert.Parameters.AddWithValue((object?)toolCallId ?? DBNull.Value);
        insert.Parameters.AddWithValue((object?)toolName ?? DBNull.Value);
        insert.Parameters.AddWithValue(status);
        insert.Parameters.AddWithValue((object?)error ?? DBNull.Value);
        batch.BatchCommands.Add(insert);
        var touch = new NpgsqlBatchCommand("UPDATE ai.conversations SET updated_at = now() WHERE id = $1");
        touch.Parameters.AddWithValue(conversationId);
        batch.BatchCommands.Add(touch);
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static IReadOnlyList<StoredToolCall>? Calls(string? json)
    {
        if (json is null)
        {
            return null;
        }
        var list = new List<StoredToolCall>();
        foreach (var item in JsonNode.Parse(json) as JsonArray ?? [])
        {
            list.Add(new StoredToolCall(item?["id"]?.ToString() ?? "", item?["name"]?.ToString() ?? "",
                item?["arguments"] as JsonObject is { } a ? (JsonObject)a.DeepClone() : []));
        }
        return list;
    }
}
