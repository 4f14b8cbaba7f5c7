using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Scalpaiboard.Infrastructure.Postgres;

/// <summary>
/// An ASP.NET Core Data Protection key ring kept in a service's own schema (<c>{schema}.data_protection_keys</c>:
/// <c>friendly_name</c> unique, <c>xml</c>, <c>created_at</c>), so every replica of the service and every restart
/// reads the same keys (the Gateway's tokens, the Ai service's encrypted API keys). The interface is synchronous;
/// the key ring is read rarely (start-up, then about once a day). A key is never overwritten, except to re-encrypt it
/// with a new key-ring certificate after a rotation (<see cref="ReplaceAsync"/>, same key, same friendly name).
/// </summary>
public sealed partial class PostgresKeyRingRepository : IXmlRepository
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _select;
    private readonly string _insert;
    private readonly string _selectNamed;
    private readonly string _replace;

    public PostgresKeyRingRepository(NpgsqlDataSource dataSource, string schema)
    {
        if (!SchemaName().IsMatch(schema))
        {
            throw new ArgumentException($"Invalid schema name '{schema}'.", nameof(schema));
        }
        _dataSource = dataSource;
        _select = $"SELECT xml FROM {schema}.data_protection_keys ORDER BY created_at, friendly_name";
        _insert = $"INSERT INTO {schema}.data_protection_keys (friendly_name, xml) VALUES ($1, $2) ON CONFLICT (friendly_name) DO NOTHING";
        _selectNamed = $"SELECT friendly_name, xml FROM {schema}.data_protection_keys ORDER BY created_at, friendly_name";
        _replace = $"UPDATE {schema}.data_protection_keys SET xml = $2 WHERE friendly_name = $1";
    }

    /// <summary>Every stored key with its friendly name (for re-encryption).</summary>
    internal async Task<List<(string Name, XElement Xml)>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var list = new List<(string, XElement)>();
        await using var cmd = _dataSource.CreateCommand(_selectNamed);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add((reader.GetString(0), XElement.Parse(reader.GetString(1))));
        }
        return list;
    }

    /// <summary>Stores a key's re-encrypted XML in place of the old.</summary>
    internal async Task ReplaceAsync(string friendlyName, XElement element, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand(_replace);
        cmd.Parameters.AddWithValue(friendlyName);
        cmd.Parameters.AddWithValue(element.ToString(SaveOptions.DisableFormatting));
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        var list = new List<XElement>();
        using var cmd = _dataSource.CreateCommand(_select);
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            list.Add(XElement.Parse(reader.GetString(0)));
        }
        return list;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var cmd = _dataSource.CreateCommand(_insert);
        cmd.Parameters.AddWithValue(friendlyName);
        cmd.Parameters.AddWithValue(element.ToString(SaveOptions.DisableFormatting));
        cmd.ExecuteNonQuery();
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaName();
}
