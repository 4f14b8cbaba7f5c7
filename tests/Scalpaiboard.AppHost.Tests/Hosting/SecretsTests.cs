using Scalpaiboard.AppHost.Hosting;

namespace Scalpaiboard.AppHost.Tests.Hosting;

public sealed class SecretsTests
{
    [Fact]
    public void LoadOrCreate_GeneratesOnce_KeepsItAcrossRuns_InAPrivateFile()
    {
        var folder = Directory.CreateTempSubdirectory("apphost-secrets-").FullName;
        try
        {
            var first = Secrets.LoadOrCreate(folder)[Secrets.SigningKey];
            var second = Secrets.LoadOrCreate(folder)[Secrets.SigningKey];
            var otherFolder = Secrets.LoadOrCreate(Directory.CreateTempSubdirectory("apphost-secrets-").FullName)[Secrets.SigningKey];

            Assert.True(first.Length >= 32);
            Assert.Equal(first, second);
            Assert.NotEqual(first, otherFolder);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, "secrets.json")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
