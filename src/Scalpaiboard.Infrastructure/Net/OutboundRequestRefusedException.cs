namespace Scalpaiboard.Infrastructure.Net;

/// <summary>
/// A connection to a user-supplied target was not opened because none of its addresses is allowed. SocketsHttpHandler
/// hands it on as the inner exception of an <see cref="HttpRequestException"/>; sending again will not help.
/// </summary>
public sealed class OutboundRequestRefusedException(string message) : Exception(message)
{
    /// <summary>The refusal that <paramref name="exception"/> is or wraps, or null when it is some other failure.</summary>
    public static OutboundRequestRefusedException? FindIn(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is OutboundRequestRefusedException refused)
            {
                return refused;
            }
        }
        return null;
    }
}
