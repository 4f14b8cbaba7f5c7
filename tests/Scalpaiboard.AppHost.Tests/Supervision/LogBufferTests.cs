using Scalpaiboard.AppHost.Supervision;

namespace Scalpaiboard.AppHost.Tests.Supervision;

public sealed class LogBufferTests
{
    [Fact]
    public void Tail_KeepsOnlyTheNewestLines_UpToCapacity()
    {
        var logs = new LogBuffer(capacity: 3);
        for (var i = 1; i <= 5; i++)
        {
            logs.Add("stdout", $"line {i}", DateTimeOffset.UnixEpoch);
        }

        Assert.Equal(["line 3", "line 4", "line 5"], logs.Tail(10).Select(l => l.Text));
        Assert.Equal(["line 5"], logs.Tail(1).Select(l => l.Text));
    }

    [Fact]
    public async Task Subscribe_GivesRecentLinesThenLiveOnes_WithoutGapOrRepeat()
    {
        var logs = new LogBuffer();
        logs.Add("stdout", "old 1", DateTimeOffset.UnixEpoch);
        logs.Add("stdout", "old 2", DateTimeOffset.UnixEpoch);

        var (recent, live, subscription) = logs.Subscribe(recent: 1);
        using (subscription)
        {
            logs.Add("stderr", "new", DateTimeOffset.UnixEpoch);

            Assert.Equal(["old 2"], recent.Select(l => l.Text));
            var next = await live.ReadAsync();
            Assert.Equal(("stderr", "new"), (next.Stream, next.Text));
            Assert.Equal(recent[0].Seq + 1, next.Seq);
        }
    }
}
