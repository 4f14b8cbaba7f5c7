using Scalpaiboard.Web.Model;

namespace Scalpaiboard.Web.Services;

public enum GatewayOutcome
{
    Ok,
    /// <summary>The Gateway answered with a problem (4xx/5xx).</summary>
    Problem,
    /// <summary>The Gateway could not be reached (connection refused, timeout, circuit open).</summary>
    Unavailable,
    /// <summary>401: the user's session is gone.</summary>
    Unauthorized,
}

/// <summary>What a Gateway call gave: a value, a problem from the Gateway, or "not reachable".</summary>
public interface IGatewayResult
{
    bool IsOk { get; }
    bool IsUnavailable { get; }
    string Message { get; }
}

public sealed record GatewayResult<T>(GatewayOutcome Outcome, T? Value, ProblemDetailsDto? Problem = null, int StatusCode = 0) : IGatewayResult
{
    public bool IsOk => Outcome == GatewayOutcome.Ok;

    public bool IsUnavailable => Outcome == GatewayOutcome.Unavailable;

    /// <summary>A one-line message for a message box.</summary>
    public string Message => Outcome switch
    {
        GatewayOutcome.Ok => "",
        GatewayOutcome.Unavailable => "gateway not reachable",
        GatewayOutcome.Unauthorized => "your session has expired; log in again",
        _ => Problem?.Detail ?? Problem?.Title ?? $"the gateway answered {StatusCode}",
    };

    public static GatewayResult<T> Down() => new(GatewayOutcome.Unavailable, default);
}
