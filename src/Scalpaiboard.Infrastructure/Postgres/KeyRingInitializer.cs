using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Scalpaiboard.Infrastructure.Postgres;

/// <summary>
/// Makes sure the shared key ring has an active key before the service serves anything, under a PostgreSQL
/// advisory lock: without it, replicas starting together on an empty ring would each create their own key and
/// reject each other's tokens until their next key-ring refresh. First, after a rotation of the key-ring certificate,
/// every key still encrypted with a previous certificate is decrypted with it and re-encrypted with the current one, so
/// the previous certificate is no longer needed once every service has started once.
/// </summary>
internal sealed partial class KeyRingInitializer(NpgsqlDataSource dataSource, IKeyManager keyManager, KeyRingCertificates certificates,
    IOptions<KeyManagementOptions> keyManagement, IServiceProvider services, ILoggerFactory loggerFactory, TimeProvider time,
    ILogger<KeyRingInitializer> logger) : IHostedService
{
    private static readonly XNamespace XmlEnc = "http://www.w3.org/2001/04/xmlenc#";
    private static readonly XNamespace XmlDsig = "http://www.w3.org/2000/09/xmldsig#";

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
            if (certificates.Previous.Count > 0 && keyManagement.Value.XmlRepository is PostgresKeyRingRepository repository)
            {
                await ReencryptAsync(repository, cancellationToken);
            }
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

    /// <summary>Re-encrypts the keys whose secret is encrypted to a certificate other than the current one.</summary>
    private async Task ReencryptAsync(PostgresKeyRingRepository repository, CancellationToken cancellationToken)
    {
        var current = certificates.Current.RawData;
        var decryptor = new EncryptedXmlDecryptor(services);
        var encryptor = new CertificateXmlEncryptor(certificates.Current, loggerFactory);
        int reencrypted = 0, failed = 0;
        foreach (var (name, key) in await repository.ReadAllAsync(cancellationToken))
        {
            var secret = key.Descendants().FirstOrDefault(e => e.Name.LocalName == "encryptedSecret");
            var encrypted = secret?.Element(XmlEnc + "EncryptedData");
            var recipient = encrypted?.Descendants(XmlDsig + "X509Certificate").FirstOrDefault()?.Value;
            if (encrypted is null || recipient is null || Convert.FromBase64String(recipient.Trim()).AsSpan().SequenceEqual(current))
            {
                continue;
            }
            try
            {
                var plain = decryptor.Decrypt(encrypted);
                var info = encryptor.Encrypt(plain);
                secret!.RemoveNodes();
                secret.Add(info.EncryptedElement);
                secret.SetAttributeValue("decryptorType", info.DecryptorType.AssemblyQualifiedName);
                await repository.ReplaceAsync(name, key, cancellationToken);
                reencrypted++;
            }
            catch (System.Security.Cryptography.CryptographicException ex)
            {
                // Encrypted to a certificate that is neither current nor previous: it stays as it is (unreadable).
                failed++;
                LogReencryptFailed(logger, name, ex.Message);
            }
        }
        LogReencrypted(logger, reencrypted, failed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Key ring: {Count} keys re-encrypted with the current certificate, {Failed} could not be decrypted")]
    private static partial void LogReencrypted(ILogger logger, int count, int failed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Key ring: key {Name} could not be decrypted with the current or a previous certificate: {Error}")]
    private static partial void LogReencryptFailed(ILogger logger, string name, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created data-protection key {KeyId}, expires {Expiration:O}")]
    private static partial void LogKeyCreated(ILogger logger, Guid keyId, DateTimeOffset expiration);
}
