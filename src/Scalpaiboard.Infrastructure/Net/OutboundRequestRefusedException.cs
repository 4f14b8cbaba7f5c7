namespace Scalpaiboard.Infrastructure.Net;

/// <summary>
/// A connection to a user-supplied target was not opened because none of its addresses is allowed. SocketsHttpHandler
/// hands it on as the inner exception of an <see cref="HttpRequestException"/>; sending again will not help.
/// </summary>
public sealed class OutboundRequestRefusedException(string message) : Exception(message)
{
    /// <summary>True when <paramref name="exception"/> or one of its inner exceptions is a refusal.</summary>
    public static bool IsRefusal(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is OutboundRequestRefusedException)
            {
                return true;
            }
        }
        return false;
    }
}
