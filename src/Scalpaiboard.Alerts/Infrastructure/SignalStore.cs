using Npgsql;
using NpgsqlTypes;
using Scalpaiboard.Alerts.Model;

namespace Scalpaiboard.Alerts.Infrastructure;

public sealed record SignalQuery(string? Symbol, string? Type, long? From, long? To, int Limit, int Offset);

/// <summary>Reads and writes <c>alerts.signals</c>; identity (symbol, type, open_time) makes inserts idempotent.</summary>
public sealed class SignalStore(NpgsqlDataSource dataSource)
{
    /// <summary>Inserts a signal unless one with the same identity exists; returns the new id, or null for a duplicate.</summary>
    public static async Task<long?> TryInsertAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string symbol, string type, long openTime,
        double price, string metricsJson, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(
            """
            INSERT INTO alerts.signals (symbol, type, open_time, price, metrics)
            VALUES (@symbol, @type, @openTime, @price, @metrics)
            ON CONFLICT ON CONSTRAINT signals_identity DO NOTHING
            RETURNING id
            """, conn, tx);
        cmd.Parameters.AddWithValue("symbol", symbol);
        cmd.Parameters.AddWithValue("type", type);
        cmd.Parameters.AddWithValue("openTime", openTime);
        cmd.Parameters.AddWithValue("price", price);
        cmd.Parameters.Add(new NpgsqlParameter("metrics", NpgsqlDbType.Jsonb) { Value = metricsJson });
        var id = await cmd.ExecuteScalarAsync(cancellationToken);
        return id is long l ? l : null;
    }

    /// <summary>The last fire (open time) per symbol and type since <paramref name="sinceOpenTime"/>: seeds the cooldown.</summary>
    public async Task<IReadOnlyList<(string Symbol, string Type, long OpenTime)>> LastFiresAsync(long sinceOpenTime, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT symbol, type, max(open_time) FROM alerts.signals WHERE open_time >= @since GROUP BY symbol, type");
        cmd.Parameters.AddWithValue("since", sinceOpenTime);
        var list = new List<(string, string, long)>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add((r.GetString(0), r.GetString(1), r.GetInt64(2)));
        }
        return list;
    }

    public async Task<SignalPage> QueryAsync(SignalQuery q, CancellationToken cancellationToken)
    {
        var where = """
            WHERE (@symbol::text IS NULL OR symbol = @symbol)
              AND (@type::text IS NULL OR type = @type)
              AND (@from::bigint IS NULL OR open_time >= @from)
              AND (@to::bigint IS NULL OR open_time <= @to)
            """;
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(conn)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand($"SELECT count(*) FROM alerts.signals {where}"),
                new NpgsqlBatchCommand(
                    $"SELECT id, symbol, type, open_time, price, metrics::text FROM alerts.signals {where} ORDER BY open_time DESC, id DESC LIMIT @limit OFFSET @offset"),
            },
        };
        foreach (var c in batch.BatchCommands)
        {
            c.Parameters.Add(new NpgsqlParameter("symbol", NpgsqlDbType.Text) { Value = (object?)q.Symbol ?? DBNull.Value });
            c.Parameters.Add(new NpgsqlParameter("type", NpgsqlDbType.Text) { Value = (object?)q.Type ?? DBNull.Value });
            c.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.Bigint) { Value = (object?)q.From ?? DBNull.Value });
            c.Parameters.Add(new NpgsqlParameter("to", NpgsqlDbType.Bigint) { Value = (object?)q.To ?? DBNull.Value });
        }
        batch.BatchCommands[1].Parameters.AddWithValue("limit", q.Limit);
        batch.BatchCommands[1].Parameters.AddWithValue("offset", q.Offset);
        await using var r = await batch.ExecuteReaderAsync(cancellationToken);
        await r.ReadAsync(cancellationToken);
        var total = r.GetInt64(0);
        await r.NextResultAsync(cancellationToken);
        var list = new List<SignalDto>();
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(new SignalDto(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3),
                CandleTime.CloseOf(r.GetInt64(3)), SignalDto.Finite(r.GetDouble(4)), Json.Parse(r.GetString(5))));
        }
        return new SignalPage(list, total, q.Limit, q.Offset);
    }

    public async Task<int> DeleteOlderThanAsync(long openTime, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("DELETE FROM alerts.signals WHERE open_time < @t");
        cmd.Parameters.AddWithValue("t", openTime);
        return await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}

public static class CandleTime
{
    /// <summary>The moment a 1m candle closed: when its signal fired.</summary>
    public static DateTimeOffset CloseOf(long openTime) => DateTimeOffset.FromUnixTimeMilliseconds(openTime + 60_000);
}
