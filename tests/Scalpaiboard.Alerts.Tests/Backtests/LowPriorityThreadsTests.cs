using System.Collections.Concurrent;
using Scalpaiboard.Alerts.Backtests;

namespace Scalpaiboard.Alerts.Tests.Backtests;

/// <summary>The backtest runner's threads: lower priority than the service's, and every task run on them.</summary>
public sealed class LowPriorityThreadsTests
{
    [Fact]
    public async Task Tasks_and_parallel_loops_run_on_its_threads_at_the_given_nice_value_and_the_pool_is_left_alone()
    {
        Assert.True(OperatingSystem.IsLinux(), "the nice value is Linux's");
        var normal = await Task.Run(LowPriorityThreads.CurrentNiceness) ?? 0;
        var seen = new ConcurrentDictionary<int, int?>();
        using (var threads = new LowPriorityThreads(2, 10, "test"))
        {
            // As the backtest job runs the runner: the loop's calling thread one of them, its workers the others.
            await Task.Factory.StartNew(() => Parallel.For(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 2, TaskScheduler = threads }, _ =>
            {
                seen[Environment.CurrentManagedThreadId] = LowPriorityThreads.CurrentNiceness();
                Thread.SpinWait(20_000);
            }), CancellationToken.None, TaskCreationOptions.None, threads).WaitAsync(TimeSpan.FromSeconds(30));
        }
        Assert.InRange(seen.Count, 1, 2);
        Assert.All(seen.Values, nice => Assert.Equal(Math.Max(normal, 10), nice));
        Assert.Equal(normal, await Task.Run(LowPriorityThreads.CurrentNiceness));
    }

    [Fact]
    public async Task Niceness_zero_keeps_the_normal_priority()
    {
        var normal = await Task.Run(LowPriorityThreads.CurrentNiceness);
        using var threads = new LowPriorityThreads(1, 0, "test");
        var nice = await Task.Factory.StartNew(LowPriorityThreads.CurrentNiceness, CancellationToken.None, TaskCreationOptions.None, threads);
        Assert.Equal(normal, nice);
    }
}
