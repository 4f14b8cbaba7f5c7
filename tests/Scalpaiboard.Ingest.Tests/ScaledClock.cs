using Scalpaiboard.Ingest.Services.Feeds.Binance;

namespace Scalpaiboard.Ingest.Tests;

/// <summary>
/// Wall-clock time that runs <see cref="Scale"/> times faster than real time (one real second = one market minute
/// at 60x); timers and delays stay real. Shared by the fake exchange and the service under test.
/// </summary>
public sealed class ScaledClock(double scale, DateTimeOffset start) : TimeProvider, IScaledTime
{
    private readonly long _origin = System.GetTimestamp();

    public double Scale { get; } = scale;

    public override DateTimeOffset GetUtcNow() => start + System.GetElapsedTime(_origin) * Scale;
}
