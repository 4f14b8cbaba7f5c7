using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Scalpaiboard.Infrastructure.Postgres;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Infrastructure.Tests.Postgres;

/// <summary>
/// Rotating the key-ring certificate: a service started with the new certificate and the previous one re-encrypts
/// its key ring, after which the new certificate alone reads what was protected before the rotation.
/// </summary>
public sealed class KeyRingRotationTests
{
    private const string Schema = "rot";

    [Fact]
    public async Task After_a_start_with_the_previous_certificate_the_new_one_alone_reads_old_secrets()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("keyring");
        await using (var setup = NpgsqlDataSource.Create(cs))
        {
            await using var cmd = setup.CreateCommand($"""
                CREATE SCHEMA {Schema};
                CREATE TABLE {Schema}.data_protection_keys (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    friendly_name text NOT NULL UNIQUE, xml text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
                """);
            await cmd.ExecuteNonQueryAsync();
        }
        var old = TestKeyRing.NewCertificate();
        var @new = TestKeyRing.NewCertificate();

        string protectedSecret;
        using (var host = await StartAsync(cs, old))
        {
            protectedSecret = Protector(host).Protect("webhook-secret-1");
            await host.StopAsync();
        }
        Assert.Equal([Thumbprint(old)], await RecipientsAsync(cs));

        // Without the previous certificate the old ring cannot be read (what rotating used to cost).
        using (var host = await StartAsync(cs, @new, allowNewKey: false))
        {
            Assert.ThrowsAny<CryptographicException>(() => Protector(host).Unprotect(protectedSecret));
            await host.StopAsync();
        }

        using (var host = await StartAsync(cs, @new, previous: old))
        {
            Assert.Equal("webhook-secret-1", Protector(host).Unprotect(protectedSecret));
            await host.StopAsync();
        }
        Assert.DoesNotContain(Thumbprint(old), await RecipientsAsync(cs));

        using (var host = await StartAsync(cs, @new))
        {
            Assert.Equal("webhook-secret-1", Protector(host).Unprotect(protectedSecret));
            await host.StopAsync();
        }
    }

    private static IDataProtector Protector(IHost host) =>
        host.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("Scalpaiboard.Tests.KeyRing");

    private static async Task<IHost> StartAsync(string connectionString, string certificate, string? previous = null, bool allowNewKey = true)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddLogging();
        builder.Configuration.AddInMemoryCollection([
            new(DataProtectionExtensions.CertificateKey, certificate),
            new(DataProtectionExtensions.PreviousCertificatesKey, previous),
        ]);
        builder.Services.AddSingleton(NpgsqlDataSource.Create(connectionString));
        var dataProtection = builder.AddServiceDataProtection("Scalpaiboard.Tests", Schema);
        if (!allowNewKey)
        {
            // The unreadable old key looks usable to the key manager; keep it from making a new default key meanwhile.
            dataProtection.DisableAutomaticKeyGeneration();
        }
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>The certificates the stored keys' secrets are encrypted to.</summary>
    private static async Task<List<string>> RecipientsAsync(string connectionString)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var cmd = dataSource.CreateCommand($"SELECT xml FROM {Schema}.data_protection_keys");
        await using var reader = await cmd.ExecuteReaderAsync();
        var result = new List<string>();
        while (await reader.ReadAsync())
        {
            var xml = System.Xml.Linq.XElement.Parse(reader.GetString(0));
            foreach (var c in xml.Descendants().Where(e => e.Name.LocalName == "X509Certificate"))
            {
                result.Add(X509CertificateLoader.LoadCertificate(Convert.FromBase64String(c.Value)).Thumbprint);
            }
        }
        return result;
    }

    private static string Thumbprint(string pkcs12) =>
        X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(pkcs12), password: null).Thumbprint;
}
