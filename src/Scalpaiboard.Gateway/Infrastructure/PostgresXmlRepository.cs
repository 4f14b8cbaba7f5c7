using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Scalpaiboard.Gateway.Infrastructure;

/// <summary>
/// The data-protection key ring in PostgreSQL (<c>gateway.data_protection_keys</c>), so that bearer and refresh
/// tokens issued by one Gateway are accepted after a restart and by every other Gateway replica.
/// The interface is synchronous; the key ring is read rarely (start-up, then about once a day).
/// </summary>
public sealed class PostgresXmlRepository(NpgsqlDataSource dataSource) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        var list = new List<XElement>();
        using var cmd = dataSource.CreateCommand("SELECT xml FROM gateway.data_protection_keys ORDER BY id");
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            list.Add(XElement.Parse(reader.GetString(0)));
        }
        return list;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var cmd = dataSource.CreateCommand(
            "INSERT INTO gateway.data_protection_keys (friendly_name, xml) VALUES ($1, $2) ON CONFLICT (friendly_name) DO NOTHING");
        cmd.Parameters.AddWithValue(friendlyName);
        cmd.Parameters.AddWithValue(element.ToString(SaveOptions.DisableFormatting));
        cmd.ExecuteNonQuery();
    }
}
