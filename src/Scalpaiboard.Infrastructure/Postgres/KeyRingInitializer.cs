using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Scalpaiboard.Infrastructure.Postgres;

/// <summary>
/// Makes sure the shared key ring has an active key before the service serves anything, under a PostgreSQL
/// advisory lock: without it, replicas starting together on an empty ring would each create their own key and
/// reject each other's tokens until their next key-ring refresh.
/// </summary>
internal sealed partial class KeyRingInitializer(NpgsqlDataSource dataSource, IKeyManager keyManager, TimeProvider time,
    ILogger<KeyRingInitializer> logger) : IHostedService
{
    private const long LockKey = 0x5CA1_9A1B_0A2D_0001;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var lk = new NpgsqlCommand("SELECT pg_advisory_lock($1)", conn))
        {
            lk.Parameters.AddWithValue(LockKey);
            await lk.ExecuteNonQueryAsync(cancellationToken);
        }
        try
        {
            var now = time.GetUtcNow();
            var usable = false;
            foreach (var key in keyManager.GetAllKeys())
            {
                if (!key.IsRevoked && key.ActivationDate <= now && key.ExpirationDate > now.AddDays(2))
                {
                    usable = true;
                    break;
                }
            }
            if (!usable)
            {
                var key = keyManager.CreateNewKey(now, now.AddDays(90));
                LogKeyCreated(logger, key.KeyId, key.ExpirationDate);
            }
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", conn);
            unlock.Parameters.AddWithValue(LockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Created data-protection key {KeyId}, expires {Expiration:O}")]
    private static partial void LogKeyCreated(ILogger logger, Guid keyId, DateTimeOffset expiration);
}
