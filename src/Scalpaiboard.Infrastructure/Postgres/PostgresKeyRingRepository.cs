using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Scalpaiboard.Infrastructure.Postgres;

/// <summary>
/// An ASP.NET Core Data Protection key ring kept in a service's own schema (<c>{schema}.data_protection_keys</c>:
/// <c>friendly_name</c> unique, <c>xml</c>, <c>created_at</c>), so every replica of the service and every restart
/// reads the same keys (the Gateway's tokens, the Ai service's encrypted API keys). The interface is synchronous;
/// the key ring is read rarely (start-up, then about once a day). A key is never overwritten.
/// </summary>
public sealed partial class PostgresKeyRingRepository : IXmlRepository
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _select;
    private readonly string _insert;

    public PostgresKeyRingRepository(NpgsqlDataSource dataSource, string schema)
    {
        if (!SchemaName().IsMatch(schema))
        {
            throw new ArgumentException($"Invalid schema name '{schema}'.", nameof(schema));
        }
        _dataSource = dataSource;
        _select = $"SELECT xml FROM {schema}.data_protection_keys ORDER BY created_at, friendly_name";
        _insert = $"INSERT INTO {schema}.data_protection_keys (friendly_name, xml) VALUES ($1, $2) ON CONFLICT (friendly_name) DO NOTHING";
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
