using Microsoft.Extensions.Configuration;

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Scalpaiboard.AppHost.Hosting;

/// <summary>
/// Where a run keeps what outlives it: <c>.scalpaiboard/</c> at the repository root (or <c>--data</c>). A replay
/// (<c>Ingest__Feed=replay</c>) without <c>--data</c> is a session of its own in <c>.scalpaiboard/replay</c>, whose
/// PostgreSQL and Redis data are cleared when the run starts, so a replay never mixes with the live store.
/// </summary>
public sealed class DataFolder : IDisposable
{
    public const string SolutionFile = "Scalpaiboard.sln";
    private const string SecretsFile = "secrets.json";

    private FileStream? _lock;

    private DataFolder(string path, bool freshSession)
    {
        Path = path;
        StartsFreshSession = freshSession;
        Postgres = PostgresFolder(path);
    }

    public string Path { get; }

    /// <summary>True when this run is a replay session whose stores are cleared before they start.</summary>
    public bool StartsFreshSession { get; }

    /// <summary>
    /// PostgreSQL's data: the folder's postgres/, or, when the AppHost runs as root in a folder the postgres user cannot
    /// enter (a clone under /root), a folder of its own under /var/lib/scalpaiboard, one per data folder.
    /// </summary>
    public string Postgres { get; }

    public string Redis => System.IO.Path.Combine(Path, "redis");

    public static DataFolder Choose(IConfiguration configuration)
    {
        var replay = string.Equals(configuration["Ingest:Feed"]?.Trim(), "replay", StringComparison.OrdinalIgnoreCase);
        if (configuration["data"] is { Length: > 0 } given)
        {
            return new DataFolder(System.IO.Path.GetFullPath(given), freshSession: false);
        }
        var root = System.IO.Path.Combine(FindRepositoryRoot(), ".scalpaiboard");
        return replay ? new DataFolder(System.IO.Path.Combine(root, "replay"), freshSession: true) : new DataFolder(root, freshSession: false);
    }

    /// <summary>The folder holding Scalpaiboard.sln, from the current folder or else from the AppHost's own.</summary>
    public static string FindRepositoryRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(System.IO.Path.Combine(dir.FullName, SolutionFile)))
                {
                    return dir.FullName;
                }
            }
        }
        throw new InvalidOperationException($"Run the AppHost from inside the repository: no {SolutionFile} above {Environment.CurrentDirectory}.");
    }

    /// <summary>
    /// A secret generated on the first run and kept in secrets.json (mode 600) beside the data it protects, so
    /// restarts keep it: the PostgreSQL and Redis passwords, the key that signs identities between services.
    /// </summary>
    public string Secret(string name) => Secret(name, () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(36)).Replace('+', '-').Replace('/', '_'));

    /// <summary>
    /// The certificate that encrypts the services' data-protection key rings (base64 PKCS#12, self-signed RSA 3072):
    /// kept here, outside the database, so a copy of the database alone cannot decrypt the secrets stored in it.
    /// </summary>
    public string KeyRingCertificate() => Secret(KeyRingName, () =>
    {
        using var rsa = RSA.Create(3072);
        var request = new CertificateRequest("CN=Scalpaiboard data-protection key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, critical: true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(50));
        return Convert.ToBase64String(certificate.Export(X509ContentType.Pkcs12));
    });

    /// <summary>
    /// The certificates the key rings were encrypted with before rotations (comma-separated, empty when none): the
    /// services decrypt keys still encrypted with one and re-encrypt them with the current certificate at start-up.
    /// </summary>
    public string PreviousKeyRingCertificates() => ReadSecrets().GetValueOrDefault(PreviousKeyRingsName, "");

    /// <summary>
    /// <c>--rotate-key-ring</c>: a new key-ring certificate; the current one is kept as a previous one until
    /// <see cref="ForgetPreviousKeyRingCertificates"/>, so the services can re-encrypt their rings at their next start.
    /// </summary>
    public void RotateKeyRingCertificate()
    {
        var current = KeyRingCertificate();
        var secrets = ReadSecrets();
        var previous = secrets.GetValueOrDefault(PreviousKeyRingsName, "");
        secrets[PreviousKeyRingsName] = previous.Length == 0 ? current : $"{current},{previous}";
        secrets.Remove(KeyRingName);
        WriteSecrets(secrets);
        KeyRingCertificate();
    }

    /// <summary><c>--forget-previous-key-rings</c>: drops the previous certificates (once every service started after a rotation).</summary>
    public void ForgetPreviousKeyRingCertificates()
    {
        var secrets = ReadSecrets();
        if (secrets.Remove(PreviousKeyRingsName))
        {
            WriteSecrets(secrets);
        }
    }

    private const string KeyRingName = "key-ring-certificate";
    private const string PreviousKeyRingsName = "key-ring-certificates-previous";

    /// <summary>
    /// The VAPID key pair that signs the Alerts service's Web Push requests (P-256, base64url: the uncompressed public
    /// point and the private scalar). Kept like the other secrets: browsers bind their subscriptions to the public key,
    /// so a new pair would silently end every subscription.
    /// </summary>
    public (string PublicKey, string PrivateKey) VapidKeys()
    {
        var pair = Secret("web-push-vapid-keys", () =>
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var p = key.ExportParameters(includePrivateParameters: true);
            return System.Buffers.Text.Base64Url.EncodeToString([0x04, .. p.Q.X!, .. p.Q.Y!]) + "." + System.Buffers.Text.Base64Url.EncodeToString(p.D);
        });
        var dot = pair.IndexOf('.', StringComparison.Ordinal);
        return (pair[..dot], pair[(dot + 1)..]);
    }

    private string Secret(string name, Func<string> create)
    {
        var secrets = ReadSecrets();
        if (secrets.TryGetValue(name, out var value) && value.Length >= 32)
        {
            return value;
        }
        value = create();
        secrets[name] = value;
        WriteSecrets(secrets);
        return value;
    }

    private Dictionary<string, string> ReadSecrets()
    {
        Directory.CreateDirectory(Path);
        var path = System.IO.Path.Combine(Path, SecretsFile);
        if (!File.Exists(path))
        {
            return [];
        }
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path)) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private void WriteSecrets(Dictionary<string, string> secrets)
    {
        var path = System.IO.Path.Combine(Path, SecretsFile);
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(secrets, new JsonSerializerOptions { WriteIndented = true }));
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Clears a replay session's stores (the previous session's servers are gone: DCP stopped them).</summary>
    public void ClearSessionStores()
    {
        if (!StartsFreshSession)
        {
            return;
        }
        foreach (var folder in new[] { Postgres, Redis })
        {
            // A postmaster.pid left behind means a server may still run on it: that session's data is reused, not deleted under it.
            if (Directory.Exists(folder) && !File.Exists(System.IO.Path.Combine(folder, "postmaster.pid")))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>
    /// Takes an exclusive lock on the folder for this AppHost's lifetime (the kernel releases it when the AppHost dies),
    /// so two AppHosts never share it; false when another holds it.
    /// </summary>
    public bool TryLock()
    {
        Directory.CreateDirectory(Path);
        try
        {
            _lock ??= new FileStream(System.IO.Path.Combine(Path, "apphost.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public void Dispose() => _lock?.Dispose();

    private static string PostgresFolder(string path)
    {
        if (Environment.UserName != "root" || OthersCanEnter(path))
        {
            return System.IO.Path.Combine(path, "postgres");
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(path)))[..12];
        var fallback = System.IO.Path.Combine("/var/lib/scalpaiboard", $"{System.IO.Path.GetFileName(path.TrimEnd('/'))}-{hash}");
        Directory.CreateDirectory(fallback);
        return System.IO.Path.Combine(fallback, "postgres");
    }

    private static bool OthersCanEnter(string folder)
    {
        for (var dir = new DirectoryInfo(folder); dir is not null; dir = dir.Parent)
        {
            if (dir.Exists && (File.GetUnixFileMode(dir.FullName) & UnixFileMode.OtherExecute) == 0)
            {
                return false;
            }
        }
        return true;
    }
}
