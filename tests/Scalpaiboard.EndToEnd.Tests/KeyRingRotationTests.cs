using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Scalpaiboard.AppHost.Hosting;

namespace Scalpaiboard.EndToEnd.Tests;

/// <summary>
/// <c>./run.sh --rotate-key-ring</c> and <c>--forget-previous-key-rings</c> on the data folder's secrets.json (the
/// services' side, re-encrypting the rings, is Infrastructure's KeyRingRotationTests).
/// </summary>
public sealed class KeyRingRotationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("keyring-data-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Rotating_makes_a_new_certificate_and_keeps_the_old_ones_until_they_are_forgotten()
    {
        using var data = DataFolder.Choose(new ConfigurationBuilder().AddInMemoryCollection([new("data", _dir)]).Build());
        var first = data.KeyRingCertificate();
        var password = data.Secret("postgres-password");
        Assert.Equal(first, data.KeyRingCertificate());
        Assert.Equal("", data.PreviousKeyRingCertificates());

        data.RotateKeyRingCertificate();
        var second = data.KeyRingCertificate();
        Assert.NotEqual(first, second);
        Assert.Equal(first, data.PreviousKeyRingCertificates());

        data.RotateKeyRingCertificate();
        Assert.Equal($"{second},{first}", data.PreviousKeyRingCertificates());
        Assert.Equal(password, data.Secret("postgres-password")); // other secrets untouched

        data.ForgetPreviousKeyRingCertificates();
        Assert.Equal("", data.PreviousKeyRingCertificates());
        var secrets = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(_dir, "secrets.json")))!;
        Assert.Equal(["key-ring-certificate", "postgres-password"], secrets.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir, "secrets.json")));
    }
}
