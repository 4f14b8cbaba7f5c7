using Microsoft.AspNetCore.DataProtection;

namespace Scalpaiboard.Ai.Infrastructure;

/// <summary>Encrypts provider API keys for storage (ASP.NET Core Data Protection, its own purpose) and makes the
/// masked hint shown instead of a key.</summary>
public sealed class ApiKeyProtector(IDataProtectionProvider provider)
{
    public const string Purpose = "Scalpaiboard.Ai.ProviderApiKeys.v1";

    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    public string Protect(string apiKey) => _protector.Protect(apiKey);

    public string Unprotect(string protectedKey) => _protector.Unprotect(protectedKey);

    /// <summary>"sk-...abcd" for long keys; short keys reveal at most their last two characters.</summary>
    public static string Hint(string apiKey)
    {
        var key = apiKey.Trim();
        return key.Length >= 16 ? $"{key[..3]}...{key[^4..]}" : key.Length >= 8 ? $"...{key[^2..]}" : "...";
    }
}
