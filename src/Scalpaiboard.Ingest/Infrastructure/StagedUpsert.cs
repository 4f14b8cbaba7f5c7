using Npgsql;

namespace Scalpaiboard.Ingest.Infrastructure;

/// <summary>
/// Writes rows of which some may be stored already, in one transaction: a binary COPY into a temporary staging table,
/// then <c>INSERT ... ON CONFLICT (key) DO UPDATE</c>. The staging table numbers the rows in the order they are copied
/// (<c>seq</c>), and <c>DISTINCT ON</c> keeps one row per key, the last of the batch (ON CONFLICT cannot touch a row
/// twice): of a candle and its correction in one batch, the correction.
/// </summary>
internal static class StagedUpsert
{
    /// <param name="table">The target, e.g. <c>ingest.candles_1m</c>.</param>
    /// <param name="staging">The temporary table's name (created once per connection, emptied at each commit).</param>
    /// <param name="key">The target's primary key columns.</param>
    /// <param name="columns">The columns <typeparamref name="TEncoder"/> writes, in its order.</param>
    /// <param name="updateSet">The <c>SET</c> list of a conflicting row.</param>
    public static async Task RunAsync<TRow, TEncoder>(
        NpgsqlDataSource dataSource, string table, string staging, string key, string columns, string updateSet,
        IReadOnlyList<TRow> rows, CancellationToken cancellationToken)
        where TEncoder : IBinaryCopyRowEncoder<TRow>
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var create = new NpgsqlCommand(
            $"CREATE TEMP TABLE IF NOT EXISTS {staging} (LIKE {table} INCLUDING DEFAULTS, seq bigint GENERATED ALWAYS AS IDENTITY) ON COMMIT DELETE ROWS",
            conn, tx))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var copy = await BinaryCopyWriter.BeginAsync(conn, $"COPY {staging} ({columns}) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            await copy.WriteRowsAsync<TRow, TEncoder>(rows, cancellationToken);
            await copy.CompleteAsync(cancellationToken);
        }
        await using (var upsert = new NpgsqlCommand($"""
            INSERT INTO {table} ({columns})
            SELECT DISTINCT ON ({key}) {columns} FROM {staging} ORDER BY {key}, seq DESC
            ON CONFLICT ({key}) DO UPDATE SET {updateSet}
            """, conn, tx))
        {
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
    }
}
