using System.ComponentModel.DataAnnotations;
using Scalpaiboard.Ai.Model;
using Scalpaiboard.Ai.Services;

namespace Scalpaiboard.Ai.Tests.Tools;

public sealed class AiOptionsTests
{
    [Fact]
    public void Unknown_provider_bad_url_and_rounds_are_rejected_naming_the_key()
    {
        Assert.Contains(Errors(new AiOptions { Provider = "skynet" }), e => e.MemberNames.Contains("Provider"));
        Assert.Contains(Errors(new AiOptions { Provider = "custom", BaseUrl = "not a url" }), e => e.MemberNames.Contains("BaseUrl"));
        Assert.Contains(Errors(new AiOptions { MaxToolRounds = 0 }), e => e.MemberNames.Contains("MaxToolRounds"));
        Assert.Empty(Errors(new AiOptions()));
        Assert.Empty(Errors(new AiOptions { Provider = "OpenRouter", BaseUrl = "https://openrouter.ai/api/v1" }));
    }

    [Theory]
    [InlineData("find coins with 1h volume over 1M", "find coins with 1h volume over 1M")]
    [InlineData("  a   b  ", "a b")]
    [InlineData("", "New conversation")]
    [InlineData("analyze SOLUSDT on 15m and tell me where support and resistance are, and whether the trend is up",
        "analyze SOLUSDT on 15m and tell me where support and...")]
    public void Titles_come_from_the_first_message(string message, string title) => Assert.Equal(title, ChatService.Title(message));

    private static List<ValidationResult> Errors(AiOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
