using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Scalpaiboard.Infrastructure.Postgres;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Infrastructure.Tests.Postgres;

public sealed class MigrationRunnerTests
{
    // Deliberately not idempotent: a second run of 0001 would fail, and a second run of 0002 would add a second row.
    private static readonly Migration[] Scripts =
    [
        new(1, "create_things", "CREATE TABLE things (id integer PRIMARY KEY, name text NOT NULL);"),
        new(2, "seed_things", "INSERT INTO things (id, name) VALUES ((SELECT count(*) FROM things) + 1, 'first');"),
    ];

    private static async Task<NpgsqlDataSource> NewDatabaseAsync() =>
        NpgsqlDataSource.Create(await PostgresServer.Shared.CreateDatabaseAsync("mig"));

    private static MigrationRunner Runner(NpgsqlDataSource dataSource, IReadOnlyList<Migration> migrations, string schema = "svc") =>
        new(dataSource, schema, migrations, NullLogger<MigrationRunner>.Instance);

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql)
    {
        await using var cmd = dataSource.CreateCommand(sql);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Apply_Twice_SecondRunAppliesNothing()
    {
        await using var db = await NewDatabaseAsync();
        Assert.Equal(2, await Runner(db, Scripts).ApplyAsync(CancellationToken.None));
        Assert.Equal(0, await Runner(db, Scripts).ApplyAsync(CancellationToken.None));
        Assert.Equal(1L, await ScalarAsync<long>(db, "SELECT count(*) FROM svc.things"));
    }

    [Fact]
    public async Task Apply_RecordsVersionsNamesAndChecksumsInHistory()
    {
        await using var db = await NewDatabaseAsync();
        await Runner(db, Scripts).ApplyAsync(CancellationToken.None);
        await using var cmd = db.CreateCommand("SELECT version, name, checksum, applied_at FROM svc.schema_history ORDER BY version");
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<(int, string, string)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt32(0), reader.GetString(1), reader.GetString(2)));
            Assert.True(reader.GetDateTime(3) > DateTime.UtcNow.AddMinutes(-5));
        }
        Assert.Equal([(1, "create_things", Scripts[0].Checksum), (2, "seed_things", Scripts[1].Checksum)], rows);
    }

    [Fact]
    public async Task Apply_ScriptsRunInTheServiceSchema()
    {
        await using var db = await NewDatabaseAsync();
        await Runner(db, Scripts, "ingest").ApplyAsync(CancellationToken.None);
        Assert.Equal("ingest", await ScalarAsync<string>(db, "SELECT table_schema::text FROM information_schema.tables WHERE table_name = 'things'"));
    }

    [Fact]
    public async Task FourRunnersAtOnce_ApplyEachScriptExactlyOnce()
    {
        var connectionString = await PostgresServer.Shared.CreateDatabaseAsync("mig");
        var sources = Enumerable.Range(0, 4).Select(_ => NpgsqlDataSource.Create(connectionString)).ToArray();
        try
        {
            using var start = new Barrier(4);
            var applied = await Task.WhenAll(sources.Select(s => Task.Run(async () =>
            {
                start.SignalAndWait();
                return await Runner(s, Scripts).ApplyAsync(CancellationToken.None);
            })));
            Assert.Equal(2, applied.Sum());
            Assert.Equal(1L, await ScalarAsync<long>(sources[0], "SELECT count(*) FROM svc.things"));
            Assert.Equal(2L, await ScalarAsync<long>(sources[0], "SELECT count(*) FROM svc.schema_history"));
        }
        finally
        {
            foreach (var s in sources)
            {
                await s.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task ChangedScript_IsRefused()
    {
        await using var db = await NewDatabaseAsync();
        await Runner(db, Scripts).ApplyAsync(CancellationToken.None);
        Migration[] changed = [Scripts[0] with { Sql = Scripts[0].Sql + " -- edited" }, Scripts[1]];
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => Runner(db, changed).ApplyAsync(CancellationToken.None));
        Assert.Contains("svc/0001_create_things was changed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SameScriptWithCrLfLineEndings_IsNotAChange()
    {
        await using var db = await NewDatabaseAsync();
        Migration[] lf = [new(1, "multi", "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n")];
        await Runner(db, lf).ApplyAsync(CancellationToken.None);
        Migration[] crlf = [lf[0] with { Sql = lf[0].Sql.Replace("\n", "\r\n", StringComparison.Ordinal) }];
        Assert.Equal(0, await Runner(db, crlf).ApplyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task NewScript_IsAppliedOnTopOfOldOnes()
    {
        await using var db = await NewDatabaseAsync();
        await Runner(db, Scripts).ApplyAsync(CancellationToken.None);
        Migration[] more = [.. Scripts, new(3, "add_column", "ALTER TABLE things ADD COLUMN note text;")];
        Assert.Equal(1, await Runner(db, more).ApplyAsync(CancellationToken.None));
        Assert.Equal(3, await ScalarAsync<int>(db, "SELECT max(version) FROM svc.schema_history"));
    }

    [Fact]
    public async Task FailingScript_IsRolledBackAndNotRecorded_AndTheLockIsReleased()
    {
        await using var db = await NewDatabaseAsync();
        Migration[] broken = [.. Scripts, new(3, "broken", "ALTER TABLE things ADD COLUMN ok text; SELECT no_such_function();")];
        await Assert.ThrowsAsync<PostgresException>(() => Runner(db, broken).ApplyAsync(CancellationToken.None));
        Assert.Equal(2L, await ScalarAsync<long>(db, "SELECT count(*) FROM svc.schema_history"));
        Assert.Equal(0L, await ScalarAsync<long>(db, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'things' AND column_name = 'ok'"));

        // The advisory lock was released: a fixed script applies without waiting forever.
        Migration[] fixedScripts = [.. Scripts, new(3, "broken", "ALTER TABLE things ADD COLUMN ok text;")];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        Assert.Equal(1, await Runner(db, fixedScripts).ApplyAsync(cts.Token));
    }

    [Fact]
    public void EmbeddedMigrations_LoadsNumberedScriptsInOrder()
    {
        var migrations = EmbeddedMigrations.Load(typeof(MigrationRunnerTests).Assembly);
        Assert.Equal([(1, "first"), (2, "second")], migrations.Select(m => (m.Version, m.Name)));
        Assert.Contains("CREATE TABLE", migrations[0].Sql, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bad-Schema")]
    [InlineData("1abc")]
    [InlineData("x; DROP TABLE y")]
    public async Task InvalidSchemaName_IsRejected(string schema)
    {
        await using var db = NpgsqlDataSource.Create(PostgresServer.Shared.ConnectionString);
        Assert.Throws<ArgumentException>(() => Runner(db, Scripts, schema));
    }
}
