using Microsoft.Extensions.Options;
using Scalpaiboard.Alerts.Model;

namespace Scalpaiboard.Alerts.Notifications;

/// <summary>
/// Telegram's documented limits, kept before the server has to say 429: about one message per second per chat,
/// and at most 20 per minute to a group (negative chat ids). Per process; a 429 from Telegram is honoured on top.
/// </summary>
public sealed class TelegramChatLimiter(IOptions<AlertsOptions> options, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue<DateTimeOffset>> _sent = new(StringComparer.Ordinal);

    /// <summary>Reserves a send slot now, or returns false with the earliest time one will be free.</summary>
    public bool TryAcquire(string chatId, out DateTimeOffset retryAt)
    {
        var interval = TimeSpan.FromMilliseconds(options.Value.Delivery.TelegramChatIntervalMilliseconds);
        var perMinute = options.Value.Delivery.TelegramGroupPerMinute;
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (!_sent.TryGetValue(chatId, out var q))
            {
                _sent[chatId] = q = new Queue<DateTimeOffset>();
            }
            while (q.Count > 0 && q.Peek() <= now - TimeSpan.FromMinutes(1))
            {
                q.Dequeue();
            }
            retryAt = now;
            var last = q.Count > 0 ? q.ToArray()[^1] : DateTimeOffset.MinValue;
            if (q.Count > 0 && now < last + interval)
            {
                retryAt = last + interval;
            }
            if (chatId.StartsWith('-') && q.Count >= perMinute)
            {
                var windowFree = q.Peek() + TimeSpan.FromMinutes(1);
                retryAt = windowFree > retryAt ? windowFree : retryAt;
            }
            if (retryAt > now)
            {
                return false;
            }
            q.Enqueue(now);
            return true;
        }
    }
}
