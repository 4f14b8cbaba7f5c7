using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Scalpaiboard.Market.Backtests;
using Scalpaiboard.Market.Signals;

namespace Scalpaiboard.Alerts.Backtests;

/// <summary>A stored backtest as the API shows it (JSON columns as they were written).</summary>
public sealed record BacktestRow(
    Guid Id,
    string Status,
    double Progress,
    long CandlesProcessed,
    JsonElement Inputs,
    JsonElement? Summary,
    JsonElement? Equity,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? JobId);

/// <summary><c>alerts.backtests</c> and <c>alerts.backtest_trades</c>; every read and delete is scoped by user.</summary>
public sealed class BacktestStore(NpgsqlDataSource dataSource)
{
    public static class Statuses
    {
        public const string Queued = "queued";
        public const string Running = "running";
        public const string Completed = "completed";
        public const string Failed = "failed";
    }

    private const string Columns = "id, status, progress, candles_processed, inputs, summary, equity, error, created_at, started_at, finished_at, job_id";

    /// <summary>Stores a queued backtest; false when the user already has one queued or running.</summary>
    public async Task<bool> CreateAsync(Guid id, string userId, string inputsJson, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "INSERT INTO alerts.backtests (id, user_id, status, inputs) VALUES (@id, @user, 'queued', @inputs::jsonb)");
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("user", userId);
        cmd.Parameters.AddWithValue("inputs", inputsJson);
        try
        {
            await cmd.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "backtests_one_active_per_user")
        {
            return false;
        }
    }

    /// <summary>The id of the user's queued or running backtest, if any.</summary>
    public async Task<Guid?> ActiveAsync(string userId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT id FROM alerts.backtests WHERE user_id = @user AND status IN ('queued', 'running') LIMIT 1");
        cmd.Parameters.AddWithValue("user", userId);
        return await cmd.ExecuteScalarAsync(cancellationToken) is Guid id ? id : null;
    }

    public async Task SetJobIdAsync(Guid id, string jobId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("UPDATE alerts.backtests SET job_id = @job WHERE id = @id");
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("job", jobId);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Keeps the user's newest <paramref name="keep"/> backtests; older finished ones are deleted.</summary>
    public async Task<int> PruneAsync(string userId, int keep, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            """
            DELETE FROM alerts.backtests WHERE id IN (
                SELECT id FROM alerts.backtests WHERE user_id = @user AND status IN ('completed', 'failed')
                ORDER BY created_at DESC OFFSET @keep)
            """);
        cmd.Parameters.AddWithValue("user", userId);
        cmd.Parameters.AddWithValue("keep", Math.Max(0, keep - 1));
        return await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<BacktestRow?> GetAsync(string userId, Guid id, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT {Columns} FROM alerts.backtests WHERE id = @id AND user_id = @user");
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("user", userId);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        return await r.ReadAsync(cancellationToken) ? Read(r) : null;
    }

    /// <summary>The user's backtests, newest first, without their equity curves.</summary>
    public async Task<IReadOnlyList<BacktestRow>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            $"SELECT {Columns.Replace("equity", "NULL::jsonb", StringComparison.Ordinal)} FROM alerts.backtests WHERE user_id = @user ORDER BY created_at DESC, id");
        cmd.Parameters.AddWithValue("user", userId);
        var list = new List<BacktestRow>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(Read(r));
        }
        return list;
    }

    /// <summary>Deletes the user's backtest with its trades; returns it as it was (its job id to stop), null when not theirs.</summary>
    public async Task<BacktestRow?> DeleteAsync(string userId, Guid id, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand($"DELETE FROM alerts.backtests WHERE id = @id AND user_id = @user RETURNING {Columns}");
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("user", userId);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        return await r.ReadAsync(cancellationToken) ? Read(r) : null;
    }

    /// <summary>A page of the trades in BACKTEST.md's order, and their total; null when the backtest is not the user's.</summary>
    public async Task<(long Total, IReadOnlyList<TradeDto> Trades)?> TradesAsync(string userId, Guid id, int limit, int offset, CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var owner = new NpgsqlCommand("SELECT inputs->>'rule' FROM alerts.backtests WHERE id = @id AND user_id = @user", conn))
        {
            owner.Parameters.AddWithValue("id", id);
            owner.Parameters.AddWithValue("user", userId);
            if (await owner.ExecuteScalarAsync(cancellationToken) is not string rule)
            {
                return null;
            }
            await using var count = new NpgsqlCommand("SELECT count(*) FROM alerts.backtest_trades WHERE backtest_id = @id", conn);
            count.Parameters.AddWithValue("id", id);
            var total = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
            await using var cmd = new NpgsqlCommand(
                """
                SELECT symbol, side, entry_time, entry_price, exit_time, exit_price, reason, return, r_multiple
                FROM alerts.backtest_trades WHERE backtest_id = @id ORDER BY seq LIMIT @limit OFFSET @offset
                """, conn);
            cmd.Parameters.AddWithValue("id", id);
            cmd.Parameters.AddWithValue("limit", limit);
            cmd.Parameters.AddWithValue("offset", offset);
            var trades = new List<TradeDto>();
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
            {
                trades.Add(new TradeDto(r.GetString(0), rule, r.GetString(1), r.GetInt64(2), r.GetDouble(3), r.GetInt64(4), r.GetDouble(5),
                    r.GetString(6), r.GetDouble(7), r.GetDouble(8)));
            }
            return (total, trades);
        }
    }

    /// <summary>Marks a queued (or, after a crash, running) backtest running; returns its inputs, null when it is gone or finished.</summary>
    public async Task<JsonElement?> StartAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            """
            UPDATE alerts.backtests SET status = 'running', started_at = now(), progress = 0, candles_processed = 0
            WHERE id = @id AND status IN ('queued', 'running') RETURNING inputs::text
            """);
        cmd.Parameters.AddWithValue("id", id);
        return await cmd.ExecuteScalarAsync(cancellationToken) is string inputs ? Infrastructure.Json.Parse(inputs) : null;
    }

    /// <summary>Writes the progress of a running backtest; false when it was deleted (cancelled) meanwhile.</summary>
    public async Task<bool> ReportProgressAsync(Guid id, double progress, long candles, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "UPDATE alerts.backtests SET progress = @progress, candles_processed = @candles WHERE id = @id AND status = 'running'");
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("progress", progress);
        cmd.Parameters.AddWithValue("candles", candles);
        return await cmd.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    /// <summary>Stores the results in one transaction; false when the backtest was deleted meanwhile.</summary>
    public async Task<bool> CompleteAsync(Guid id, BacktestResult result, CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var cmd = new NpgsqlCommand(
            """
            UPDATE alerts.backtests SET status = 'completed', progress = 1, candles_processed = @candles, summary = @summary::jsonb,
                equity = @equity::jsonb, finished_at = now()
            WHERE id = @id AND status = 'running'
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("id", id);
            cmd.Parameters.AddWithValue("candles", result.Candles);
            cmd.Parameters.AddWithValue("summary", Infrastructure.Json.Serialize(result.Summary));
            cmd.Parameters.AddWithValue("equity", Infrastructure.Json.Serialize(result.Equity.Select(p => new[] { p.Time, p.CumulativeReturnPct })));
            if (await cmd.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return false;
            }
        }
        await using (var copy = await conn.BeginBinaryImportAsync(
            "COPY alerts.backtest_trades (backtest_id, seq, symbol, side, entry_time, entry_price, exit_time, exit_price, reason, return, r_multiple) FROM STDIN (FORMAT BINARY)",
            cancellationToken))
        {
            var seq = 0;
            foreach (var t in result.Trades)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(id, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(seq++, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(t.Symbol, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(t.Side.Key(), NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(t.EntryTime, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(t.EntryPrice, NpgsqlDbType.Double, cancellationToken);
                await copy.WriteAsync(t.ExitTime, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(t.ExitPrice, NpgsqlDbType.Double, cancellationToken);
                await copy.WriteAsync(t.Reason.Key(), NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(t.Return, NpgsqlDbType.Double, cancellationToken);
                await copy.WriteAsync(t.RMultiple, NpgsqlDbType.Double, cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        return true;
    }

    public async Task FailAsync(Guid id, string error, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "UPDATE alerts.backtests SET status = 'failed', error = @error, finished_at = now() WHERE id = @id AND status IN ('queued', 'running')");
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("error", error);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Deletes backtests (with their trades) that finished before <paramref name="cutoff"/>.</summary>
    public async Task<int> DeleteFinishedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("DELETE FROM alerts.backtests WHERE finished_at < @cutoff");
        cmd.Parameters.AddWithValue("cutoff", cutoff);
        return await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private static BacktestRow Read(NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetString(1), r.GetDouble(2), r.GetInt64(3), Infrastructure.Json.Parse(r.GetString(4)),
        r.IsDBNull(5) ? null : Infrastructure.Json.Parse(r.GetString(5)),
        r.IsDBNull(6) ? null : Infrastructure.Json.Parse(r.GetString(6)),
        r.IsDBNull(7) ? null : r.GetString(7),
        r.GetFieldValue<DateTimeOffset>(8),
        r.IsDBNull(9) ? null : r.GetFieldValue<DateTimeOffset>(9),
        r.IsDBNull(10) ? null : r.GetFieldValue<DateTimeOffset>(10),
        r.IsDBNull(11) ? null : r.GetString(11));
}

/// <summary>A trade on the wire (BACKTEST.md): times Unix ms, <c>return</c> a fraction.</summary>
public sealed record TradeDto(
    string Symbol, string Rule, string Side, long EntryTime, double EntryPrice, long ExitTime, double ExitPrice, string Reason,
    [property: System.Text.Json.Serialization.JsonPropertyName("return")] double Return, double RMultiple);
