using Scalpaiboard.Infrastructure.Redis;

namespace Scalpaiboard.Infrastructure.Tests.Redis;

public sealed class RedisConnectionSettingsTests
{
    [Fact]
    public void StackExchangeFormat_AllOptions_Parsed()
    {
        var s = RedisConnectionSettings.Parse("cache.local:6390,password=s3cret,user=app,defaultDatabase=4,connectTimeout=1500,syncTimeout=250,abortConnect=false");
        Assert.Equal("cache.local", s.Host);
        Assert.Equal(6390, s.Port);
        Assert.Equal("s3cret", s.Password);
        Assert.Equal("app", s.User);
        Assert.Equal(4, s.Database);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), s.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), s.CommandTimeout);
    }

    [Fact]
    public void HostOnly_DefaultsApply()
    {
        var s = RedisConnectionSettings.Parse("localhost");
        Assert.Equal(("localhost", 6379, 0), (s.Host, s.Port, s.Database));
        Assert.Null(s.Password);
        Assert.Equal(TimeSpan.FromSeconds(5), s.CommandTimeout);
    }

    [Fact]
    public void Url_WithUserPasswordAndDatabase_Parsed()
    {
        var s = RedisConnectionSettings.Parse("redis://app:p%40ss@127.0.0.1:7000/2");
        Assert.Equal(("127.0.0.1", 7000, 2, "app", "p@ss"), (s.Host, s.Port, s.Database, s.User, s.Password));
    }

    [Fact]
    public void Url_PasswordOnly_Parsed()
    {
        var s = RedisConnectionSettings.Parse("redis://:pw@localhost");
        Assert.Equal(("localhost", 6379, 0), (s.Host, s.Port, s.Database));
        Assert.Null(s.User);
        Assert.Equal("pw", s.Password);
    }

    [Theory]
    [InlineData("127.0.0.1:6379,bogus=1", "bogus")]
    [InlineData("127.0.0.1:notaport", "port")]
    [InlineData("password=x", "endpoint")]
    [InlineData("127.0.0.1:6379,defaultDatabase=-1", "defaultDatabase")]
    public void Invalid_ThrowsNamingTheProblem(string text, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => RedisConnectionSettings.Parse(text));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tls_IsRefused()
    {
        Assert.Throws<NotSupportedException>(() => RedisConnectionSettings.Parse("127.0.0.1:6379,ssl=true"));
        Assert.Throws<NotSupportedException>(() => RedisConnectionSettings.Parse("rediss://127.0.0.1:6379"));
    }
}
