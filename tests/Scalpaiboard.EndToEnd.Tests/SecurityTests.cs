using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using Scalpaiboard.EndToEnd.Tests.Infrastructure;

namespace Scalpaiboard.EndToEnd.Tests;

/// <summary>Secrets typed in through the API, as they rest on disk.</summary>
[Collection(SystemCollection.Name)]
[RunOrder(35)]
public sealed class SecurityTests(SystemFixture system)
{
    [Fact]
    public async Task Secrets_typed_in_through_the_api_are_nowhere_in_plaintext_under_the_data_folders()
    {
        var email = Api.NewEmail("secrets");
        using (var registered = await system.Gateway.PostAsJsonAsync("/api/auth/register", new { email, password = Api.Password }))
        {
            Assert.True(registered.IsSuccessStatusCode, await registered.Content.ReadAsStringAsync());
        }
        var login = await (await system.Gateway.PostAsJsonAsync("/api/auth/login", new { email, password = Api.Password })).Content.ReadFromJsonAsync<JsonObject>();
        var token = (string)login!["accessToken"]!;

        var webhookSecret = "whsec-" + Guid.NewGuid().ToString("N");
        var botToken = "7012345678:AA" + Guid.NewGuid().ToString("N");
        var apiKey = "sk-e2e-" + Guid.NewGuid().ToString("N");
        var (saved, _, savedRaw) = await Api.SendAsync(system.Gateway, HttpMethod.Put, "/api/settings", token, new
        {
            webhooks = new object[]
            {
                new { kind = "generic", url = "https://hooks.example.com/e2e", secret = webhookSecret },
                new { kind = "telegram", url = "https://api.telegram.org", secret = botToken, chatId = "42" },
            },
        });
        Assert.True(saved == 200, $"PUT /api/settings -> {saved} {savedRaw}");
        var (created, _, createdRaw) = await Api.SendAsync(system.Gateway, HttpMethod.Post, "/api/ai/providers", token, new
        {
            name = "e2e openai",
            preset = "openai",
            model = "gpt-4o-mini",
            apiKey,
        });
        Assert.True(created is 200 or 201, $"POST /api/ai/providers -> {created} {createdRaw}");
        Assert.DoesNotContain(apiKey, createdRaw, StringComparison.Ordinal);

        // Everything the servers write: the data folder (Redis's append-only file, secrets.json) and PostgreSQL's
        // data directory with its WAL (under /var/lib/scalpaiboard when the data folder is not reachable by postgres).
        await using var db = NpgsqlDataSource.Create(await system.ConnectionStringAsync("postgres"));
        await using var show = db.CreateCommand("SHOW data_directory");
        var postgresData = (string)(await show.ExecuteScalarAsync())!;
        string[] folders = [system.DataPath, postgresData];

        var found = Search(folders, [email, webhookSecret, botToken, apiKey]);
        // The e-mail address is stored in plaintext: finding it proves the search reads what was just written.
        Assert.True(found[email].Count > 0, $"the search found no trace of {email} in {string.Join(", ", folders)}");
        Assert.Empty(found[webhookSecret]);
        Assert.Empty(found[botToken]);
        Assert.Empty(found[apiKey]);
    }

    private static Dictionary<string, List<string>> Search(IEnumerable<string> folders, IReadOnlyList<string> needles)
    {
        var found = needles.ToDictionary(n => n, _ => new List<string>());
        var patterns = needles.Select(n => (Text: n, Bytes: Encoding.UTF8.GetBytes(n))).ToArray();
        foreach (var file in folders.Where(Directory.Exists).SelectMany(f => Directory.EnumerateFiles(f, "*", SearchOption.AllDirectories)))
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(file);
            }
            catch (IOException)
            {
                continue; // a socket or a file removed while searching
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            foreach (var (text, pattern) in patterns)
            {
                if (bytes.AsSpan().IndexOf(pattern) >= 0)
                {
                    found[text].Add(file);
                }
            }
        }
        return found;
    }
}
