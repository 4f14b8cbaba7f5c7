namespace Scalpaiboard.Gateway.Model;

public sealed record RegisterRequest(string? Email, string? Password);

public sealed record LoginRequest(string? Email, string? Password);

public sealed record RefreshRequest(string? RefreshToken);

/// <summary>The account as the Web UI shows it.</summary>
public sealed record AccountResponse(string Id, string Email);

/// <summary>What login and refresh return (written by the bearer token handler; declared here for OpenAPI).</summary>
public sealed record TokenResponse(string TokenType, string AccessToken, long ExpiresIn, string RefreshToken);
