using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scalpaiboard.Testing;

/// <summary>
/// A key-ring certificate (<c>Security:KeyRingCertificate</c>) for services started by tests, as the AppHost
/// generates one on first run: self-signed RSA, base64 PKCS#12. One per test run.
/// </summary>
public static class TestKeyRing
{
    public const string ConfigurationKey = "Security:KeyRingCertificate";

    private static readonly Lazy<string> Value = new(NewCertificate);

    public static string Certificate => Value.Value;

    /// <summary>Another certificate of the same kind (a rotation's new or old one).</summary>
    public static string NewCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Scalpaiboard test key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return Convert.ToBase64String(certificate.Export(X509ContentType.Pkcs12));
    }
}
