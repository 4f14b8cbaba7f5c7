using Npgsql;

namespace Scalpaiboard.AppHost.Health;

/// <summary>
/// Healthy when PostgreSQL accepts queries. With <paramref name="ensureDatabase"/> it also creates the
/// application database on the first successful probe, so services waiting for postgres find it.
/// </summary>
public sealed class PostgresProbe(string connectionString, string? ensureDatabase = null) : IHealthProbe
{
    private volatile bool _databaseReady = ensureDatabase is null;

    public async Task<bool> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            var csb = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 5 };
            if (!_databaseReady)
            {
                csb.Database = "postgres";
            }
            await using var connection = new NpgsqlConnection(csb.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            if (!_databaseReady)
            {
                await EnsureDatabaseAsync(connection, ensureDatabase!, cancellationToken);
                _databaseReady = true;
            }
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            return await command.ExecuteScalarAsync(cancellationToken) is 1;
        }
        catch (NpgsqlException)
        {
            return false;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task EnsureDatabaseAsync(NpgsqlConnection connection, string database, CancellationToken cancellationToken)
    {
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection);
        exists.Parameters.AddWithValue(database);
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            var quoted = "\"" + database.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
            try
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
            {
                // created meanwhile
            }
        }
    }
}
