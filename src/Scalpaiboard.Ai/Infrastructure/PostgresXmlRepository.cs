using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Scalpaiboard.Ai.Infrastructure;

/// <summary>
/// The Data Protection key ring in <c>ai.data_protection_keys</c>, so every Ai replica (and a restart) can read
/// the API keys the others protected. The interface is synchronous; it is called rarely (key ring refresh).
/// </summary>
public sealed class PostgresXmlRepository(NpgsqlDataSource db) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var cmd = db.CreateCommand("SELECT xml FROM ai.data_protection_keys ORDER BY created_at");
        using var reader = cmd.ExecuteReader();
        var list = new List<XElement>();
        while (reader.Read())
        {
            list.Add(XElement.Parse(reader.GetString(0)));
        }
        return list;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var cmd = db.CreateCommand(
            "INSERT INTO ai.data_protection_keys (friendly_name, xml) VALUES ($1, $2) ON CONFLICT (friendly_name) DO UPDATE SET xml = EXCLUDED.xml");
        cmd.Parameters.AddWithValue(friendlyName);
        cmd.Parameters.AddWithValue(element.ToString(SaveOptions.DisableFormatting));
        cmd.ExecuteNonQuery();
    }
}
