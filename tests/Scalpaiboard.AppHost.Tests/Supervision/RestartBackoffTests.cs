using Scalpaiboard.AppHost.Supervision;

namespace Scalpaiboard.AppHost.Tests.Supervision;

public sealed class RestartBackoffTests
{
    [Fact]
    public void Delay_DoublesFromOneSecond_AndIsCappedAtThirtySeconds()
    {
        var backoff = RestartBackoff.Default;
        var delays = Enumerable.Range(1, 8).Select(n => backoff.Delay(n).TotalSeconds).ToArray();
        Assert.Equal([1, 2, 4, 8, 16, 30, 30, 30], delays);
    }

    [Fact]
    public void NextFailureCount_StartsOver_AfterTheProcessStayedUp()
    {
        var backoff = RestartBackoff.Default;
        Assert.Equal(4, backoff.NextFailureCount(3, TimeSpan.FromSeconds(2)));
        Assert.Equal(1, backoff.NextFailureCount(3, TimeSpan.FromSeconds(31)));
    }
}
