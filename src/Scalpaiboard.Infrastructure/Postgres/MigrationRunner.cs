using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Scalpaiboard.Infrastructure.Postgres;

/// <summary>A versioned SQL script: <c>0001_create_candles.sql</c> has version 1 and name create_candles.</summary>
public sealed record Migration(int Version, string Name, string Sql)
{
    /// <summary>
    /// SHA-256 of the script with line endings normalised (a CRLF checkout is not a change). Computed from
    /// <see cref="Sql"/> on each read, so a copy made with <c>with { Sql = ... }</c> gets its own checksum.
    /// </summary>
    public string Checksum => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));
}

public static partial class EmbeddedMigrations
{
    [GeneratedRegex(@"(?:^|\.)(\d{4})_([A-Za-z0-9_]+)\.sql$")]
    private static partial Regex MigrationName();

    /// <summary>Loads every embedded resource named <c>NNNN_name.sql</c> from an assembly, in version order.</summary>
    public static IReadOnlyList<Migration> Load(Assembly assembly)
    {
        var list = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var m = MigrationName().Match(resource);
            if (!m.Success)
            {
                continue;
            }
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            list.Add(new Migration(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups[2].Value, reader.ReadToEnd()));
        }
        list.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < list.Count; i++)
        {
            if (list[i].Version == list[i - 1].Version)
            {
                throw new InvalidOperationException($"Two migrations share version {list[i].Version}: {list[i - 1].Name}, {list[i].Name}.");
            }
        }
        return list;
    }
}

/// <summary>
/// Applies a service's migrations into its own schema, once: under a PostgreSQL advisory lock keyed by the
/// schema (so replicas starting together wait for each other), each script in its own transaction, recorded in
/// <c>{schema}.schema_history</c>. An applied script whose text changed is an error, not a silent re-run.
/// </summary>
public sealed partial class MigrationRunner(NpgsqlDataSource dataSource, string schema, IReadOnlyList<Migration> migrations, ILogger<MigrationRunner> logger)
{
    public string Schema { get; } = ValidSchema(schema);

    public async Task<int> ApplyAsync(CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        var lockKey = LockKey(Schema);
        await using (var lk = new NpgsqlCommand("SELECT pg_advisory_lock($1)", conn))
        {
            lk.Parameters.AddWithValue(lockKey);
            await lk.ExecuteNonQueryAsync(cancellationToken);
        }
        try
        {
            await ExecAsync(conn, null, $"""
                CREATE SCHEMA IF NOT EXISTS {Schema};
                CREATE TABLE IF NOT EXISTS {Schema}.schema_history (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now());
                """, cancellationToken);
            var applied = new Dictionary<int, string>();
            await using (var q = new NpgsqlCommand($"SELECT version, checksum FROM {Schema}.schema_history", conn))
            await using (var r = await q.ExecuteReaderAsync(cancellationToken))
            {
                while (await r.ReadAsync(cancellationToken))
                {
                    applied[r.GetInt32(0)] = r.GetString(1);
                }
            }
            var count = 0;
            foreach (var m in migrations)
            {
                if (applied.TryGetValue(m.Version, out var checksum))
                {
                    if (checksum != m.Checksum)
                    {
                        throw new InvalidOperationException(
                            $"Migration {Schema}/{m.Version:D4}_{m.Name} was changed after it was applied. Add a new migration instead.");
                    }
                    continue;
                }
                await using var tx = await conn.BeginTransactionAsync(cancellationToken);
                await ExecAsync(conn, tx, $"SET LOCAL search_path TO {Schema}, public;\n" + m.Sql, cancellationToken);
                await using (var ins = new NpgsqlCommand($"INSERT INTO {Schema}.schema_history (version, name, checksum) VALUES ($1, $2, $3)", conn, tx))
                {
                    ins.Parameters.AddWithValue(m.Version);
                    ins.Parameters.AddWithValue(m.Name);
                    ins.Parameters.AddWithValue(m.Checksum);
                    await ins.ExecuteNonQueryAsync(cancellationToken);
                }
                await tx.CommitAsync(cancellationToken);
                LogApplied(logger, Schema, m.Version, m.Name);
                count++;
            }
            return count;
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", conn);
            unlock.Parameters.AddWithValue(lockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static async Task ExecAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static long LockKey(string schema) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("scalpaiboard.migrations." + schema)), 0);

    private static string ValidSchema(string schema) =>
        SchemaName().IsMatch(schema) ? schema : throw new ArgumentException($"Invalid schema name '{schema}'.", nameof(schema));

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaName();

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied migration {Schema}/{Version:D4}_{Name}")]
    private static partial void LogApplied(ILogger logger, string schema, int version, string name);
}
