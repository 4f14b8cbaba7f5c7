namespace Scalpaiboard.AppHost.Supervision;

/// <summary>
/// Delay before restarting a crashed resource: base, 2x base, 4x base ... capped; a resource that stayed up
/// for <see cref="ResetAfter"/> starts again from the base delay.
/// </summary>
public sealed record RestartBackoff(TimeSpan Base, TimeSpan Max, TimeSpan ResetAfter)
{
    public static RestartBackoff Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));

    /// <summary>The delay before the restart that follows the <paramref name="consecutiveFailures"/>-th crash in a row (1-based).</summary>
    public TimeSpan Delay(int consecutiveFailures)
    {
        var exponent = Math.Clamp(consecutiveFailures - 1, 0, 30);
        var ticks = Base.Ticks * Math.Pow(2, exponent);
        return ticks >= Max.Ticks ? Max : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>The count of consecutive failures after a crash of a process that had been up for <paramref name="uptime"/>.</summary>
    public int NextFailureCount(int previousFailures, TimeSpan uptime) => uptime >= ResetAfter ? 1 : previousFailures + 1;
}
