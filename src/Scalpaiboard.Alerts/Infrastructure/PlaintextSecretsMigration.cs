using Npgsql;

namespace Scalpaiboard.Alerts.Infrastructure;

/// <summary>
/// Encrypts webhook secrets stored in plaintext by versions before secrets were protected at rest, once, at start-up:
/// each row's <c>plain_secret</c> becomes <c>protected_secret</c>, and the table is rewritten (VACUUM FULL) so the old
/// row versions leave the data files. Rows are claimed with <c>FOR UPDATE SKIP LOCKED</c>, so replicas starting
/// together never encrypt the same secret twice.
/// </summary>
internal sealed partial class PlaintextSecretsMigration(NpgsqlDataSource dataSource, SettingsStore settings,
    ILogger<PlaintextSecretsMigration> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var migrated = 0;
        await using (var conn = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var tx = await conn.BeginTransactionAsync(cancellationToken))
        {
            var rows = new List<(long Id, string Secret)>();
            await using (var select = new NpgsqlCommand(
                "SELECT id, plain_secret FROM alerts.user_webhooks WHERE plain_secret IS NOT NULL FOR UPDATE SKIP LOCKED", conn, tx))
            await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    rows.Add((reader.GetInt64(0), reader.GetString(1)));
                }
            }
            foreach (var (id, secret) in rows)
            {
                await using var update = new NpgsqlCommand(
                    "UPDATE alerts.user_webhooks SET protected_secret = @protected, plain_secret = NULL WHERE id = @id", conn, tx);
                update.Parameters.AddWithValue("protected", settings.Protect(secret));
                update.Parameters.AddWithValue("id", id);
                migrated += await update.ExecuteNonQueryAsync(cancellationToken);
            }
            await tx.CommitAsync(cancellationToken);
        }
        if (migrated > 0)
        {
            await using var vacuum = dataSource.CreateCommand("VACUUM FULL alerts.user_webhooks");
            await vacuum.ExecuteNonQueryAsync(cancellationToken);
            LogMigrated(logger, migrated);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Encrypted {Count} webhook secrets stored in plaintext by an earlier version")]
    private static partial void LogMigrated(ILogger logger, int count);
}
