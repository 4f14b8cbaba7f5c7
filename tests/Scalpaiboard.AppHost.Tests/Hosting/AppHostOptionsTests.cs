using Scalpaiboard.AppHost.Hosting;

namespace Scalpaiboard.AppHost.Tests.Hosting;

public sealed class AppHostOptionsTests
{
    [Fact]
    public void Parse_NoArguments_GivesTheContractDefaults()
    {
        var options = AppHostOptions.Parse([]).Options!;

        Assert.Equal((18888, 8080, 5000), (options.DashboardPort, options.GatewayPort, options.WebPort));
        Assert.Null(options.DataPath);
        Assert.Null(options.Only);
    }

    [Fact]
    public void Parse_ReadsEveryOption_InBothSpellings()
    {
        var options = AppHostOptions.Parse(["--dashboard-port=19000", "--gateway-port", "8081", "--web-port", "5001", "--data", "/tmp/x", "--only", "postgres, redis", "--no-build"]).Options!;

        Assert.Equal((19000, 8081, 5001), (options.DashboardPort, options.GatewayPort, options.WebPort));
        Assert.Equal("/tmp/x", options.DataPath);
        Assert.Equal(["postgres", "redis"], options.Only!);
        Assert.True(options.NoBuild);
    }

    [Theory]
    [InlineData("--gateway-port", "80800")]
    [InlineData("--web-port", "abc")]
    [InlineData("--bogus", "1")]
    public void Parse_BadInput_NamesTheOption(string option, string value)
    {
        var (options, message) = AppHostOptions.Parse([option, value]);

        Assert.Null(options);
        Assert.Contains(option, message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Help_GivesUsage()
    {
        var (options, message) = AppHostOptions.Parse(["--help"]);

        Assert.Null(options);
        Assert.Equal(AppHostOptions.Usage, message);
    }
}
