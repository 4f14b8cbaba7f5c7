using System.Security.Cryptography;
using System.Text.Json;

namespace Scalpaiboard.AppHost.Hosting;

/// <summary>
/// Secrets generated on the first run and kept in the data folder (secrets.json, mode 600), so restarts keep
/// them: the key that signs the user identity the Gateway hands to services.
/// </summary>
public static class Secrets
{
    public const string SigningKey = "Identity__SigningKey";

    public static IReadOnlyDictionary<string, string> LoadOrCreate(string dataPath)
    {
        var path = Path.Combine(dataPath, "secrets.json");
        Dictionary<string, string> secrets = [];
        if (File.Exists(path))
        {
            try
            {
                secrets = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path)) ?? [];
            }
            catch (JsonException)
            {
                secrets = [];
            }
        }
        if (!secrets.TryGetValue(SigningKey, out var key) || key.Length < 32)
        {
            secrets[SigningKey] = Base64Url(RandomNumberGenerator.GetBytes(48));
            var temp = path + ".tmp";
            File.WriteAllText(temp, JsonSerializer.Serialize(secrets, new JsonSerializerOptions { WriteIndented = true }));
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.Move(temp, path, overwrite: true);
        }
        return secrets;
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
