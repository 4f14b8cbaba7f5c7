using Microsoft.Extensions.Options;
using Scalpaiboard.Alerts.Model;
using Scalpaiboard.Alerts.Notifications;

namespace Scalpaiboard.Alerts.Tests.Notifications;

public sealed class TelegramChatLimiterTests
{
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static (TelegramChatLimiter, ManualClock) Create()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero));
        return (new TelegramChatLimiter(Options.Create(new AlertsOptions()), clock), clock);
    }

    [Fact]
    public void One_message_per_second_per_chat_other_chats_unaffected()
    {
        var (limiter, clock) = Create();
        Assert.True(limiter.TryAcquire("42", out _));
        Assert.False(limiter.TryAcquire("42", out var retryAt));
        Assert.Equal(clock.Now.AddSeconds(1), retryAt);
        Assert.True(limiter.TryAcquire("43", out _));
        clock.Now = clock.Now.AddSeconds(1);
        Assert.True(limiter.TryAcquire("42", out _));
    }

    [Fact]
    public void A_group_gets_at_most_twenty_per_minute()
    {
        var (limiter, clock) = Create();
        var start = clock.Now;
        for (var i = 0; i < 20; i++)
        {
            Assert.True(limiter.TryAcquire("-100123", out _), $"message {i}");
            clock.Now = clock.Now.AddSeconds(1.5);
        }
        Assert.False(limiter.TryAcquire("-100123", out var retryAt));
        Assert.Equal(start.AddMinutes(1), retryAt);
        clock.Now = retryAt;
        Assert.True(limiter.TryAcquire("-100123", out _));
    }
}
