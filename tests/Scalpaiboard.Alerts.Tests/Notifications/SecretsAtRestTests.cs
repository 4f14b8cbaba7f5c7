using System.Net;
using Npgsql;
using Scalpaiboard.Alerts.Infrastructure;
using Scalpaiboard.Alerts.Notifications;
using Scalpaiboard.Alerts.Tests.Support;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Alerts.Tests.Notifications;

/// <summary>Users' webhook secrets and bot tokens are stored encrypted, and still sign what is delivered.</summary>
public sealed class SecretsAtRestTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private FakeReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await FakeReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _redis.Dispose();
    }

    [Fact]
    public async Task A_webhook_secret_is_stored_encrypted_with_an_encrypted_key_ring_and_signs_deliveries()
    {
        var secret = "whsec-" + Guid.NewGuid().ToString("N");
        await using var app = await AlertsApp.StartAsync(_redis);
        using var user = app.UserClient("secret-keeper");
        using var saved = await user.PutJsonAsync("/api/settings", new
        {
            presetSubscriptions = new[] { "futures_pioneer_bull" },
            webhooks = new[] { new { kind = "generic", url = _receiver.Url("/signed"), secret } },
        });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.DoesNotContain(secret, await saved.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await MetricsFeed.AppendPioneerRunAsync(app.Stream, 1, "AAAUSDT");
        await Eventually.WaitAsync(() => Task.FromResult(_receiver.Requests.Count(r => r.Path == "/signed")), c => c >= 1);
        var delivered = _receiver.Requests.First(r => r.Path == "/signed");
        Assert.Equal(WebhookSender.Sign(secret, delivered.Body), delivered.Header(WebhookSender.SignatureHeader));

        await using var db = NpgsqlDataSource.Create(app.Postgres);
        await using (var row = db.CreateCommand("SELECT protected_secret, plain_secret FROM alerts.user_webhooks WHERE user_id = 'secret-keeper'"))
        await using (var reader = await row.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Assert.DoesNotContain(secret, reader.GetString(0), StringComparison.Ordinal);
            Assert.True(reader.IsDBNull(1));
        }
        // The key that encrypts the secret is itself encrypted with the key-ring certificate (kept outside the database).
        await using var keys = db.CreateCommand("SELECT xml FROM alerts.data_protection_keys");
        var xml = Assert.IsType<string>(await keys.ExecuteScalarAsync());
        Assert.Contains("EncryptedXmlDecryptor", xml, StringComparison.Ordinal);
        Assert.DoesNotContain("<value>", xml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secrets_an_earlier_version_stored_in_plaintext_are_encrypted_at_the_next_start()
    {
        var token = "123456:" + Guid.NewGuid().ToString("N");
        var postgres = await PostgresServer.Shared.CreateDatabaseAsync("alerts");
        await using (var first = await AlertsApp.StartAsync(_redis, postgres: postgres))
        {
        }
        await using (var db = NpgsqlDataSource.Create(postgres))
        await using (var insert = db.CreateCommand(
            "INSERT INTO alerts.user_webhooks (user_id, kind, url, plain_secret, chat_id) VALUES ('old-user', 'telegram', 'https://api.telegram.org', $1, '42')"))
        {
            insert.Parameters.AddWithValue(token);
            await insert.ExecuteNonQueryAsync();
        }

        await using var app = await AlertsApp.StartAsync(_redis, postgres: postgres);

        await using var data = NpgsqlDataSource.Create(postgres);
        await using var row = data.CreateCommand("SELECT id, plain_secret, protected_secret FROM alerts.user_webhooks WHERE user_id = 'old-user'");
        await using var reader = await row.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.True(reader.IsDBNull(1));
        Assert.DoesNotContain(token, reader.GetString(2), StringComparison.Ordinal);
        var target = await app.Service<SettingsStore>().GetWebhookAsync("old-user", reader.GetInt64(0), CancellationToken.None);
        Assert.Equal(token, target?.Secret);
    }
}
