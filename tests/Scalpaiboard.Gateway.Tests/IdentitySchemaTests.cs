using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Scalpaiboard.Gateway.Infrastructure;
using Scalpaiboard.Gateway.Tests.Support;

namespace Scalpaiboard.Gateway.Tests;

/// <summary>The hand-written Identity migration must match what EF Core expects, column for column.</summary>
public sealed class IdentitySchemaTests
{
    [Fact]
    public async Task The_identity_migration_matches_the_ef_model()
    {
        await using var gateway = await GatewayFactory.StartAsync();
        using var scope = gateway.Services.CreateScope();
        var model = scope.ServiceProvider.GetRequiredService<GatewayDbContext>().Model;

        var actual = new HashSet<string>();
        await using (var conn = new NpgsqlConnection(gateway.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(
                "SELECT table_name, column_name, is_nullable, data_type, character_maximum_length FROM information_schema.columns WHERE table_schema = 'gateway'", conn);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var type = reader.GetString(3) + (reader.IsDBNull(4) ? "" : $"({reader.GetInt32(4)})");
                actual.Add($"{reader.GetString(0)}.{reader.GetString(1)} {type} {(reader.GetString(2) == "YES" ? "null" : "not null")}");
            }
        }

        var expected = new List<string>();
        foreach (var entity in model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            Assert.Equal(GatewayDbContext.Schema, entity.GetSchema());
            var store = Microsoft.EntityFrameworkCore.Metadata.StoreObjectIdentifier.Table(table, entity.GetSchema());
            foreach (var property in entity.GetProperties())
            {
                var column = property.GetColumnName(store)!;
                var type = property.GetColumnType() switch
                {
                    var t when t.StartsWith("character varying", StringComparison.Ordinal) => t,
                    "timestamp with time zone" => "timestamp with time zone",
                    var t => t,
                };
                expected.Add($"{table}.{column} {type} {(property.IsColumnNullable(store) ? "null" : "not null")}");
            }
        }
        Assert.NotEmpty(expected);
        foreach (var column in expected)
        {
            Assert.Contains(column, actual);
        }
    }
}
