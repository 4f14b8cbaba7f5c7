using Scalpaiboard.Ingest.Model;

namespace Scalpaiboard.Ingest.Services;

public static class FeedStates
{
    public const string Starting = "starting";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
}

/// <summary>Progress and counters of the running feed, shared by the feed, the writer, the API and health.</summary>
public sealed class FeedStatus(TimeProvider time)
{
    private long _candlesIngested;
    private long _lastOpenTime = long.MinValue;
    private long _malformedRows;
    private long _malformedFrames;
    private long _rejected;
    private long _reconnects;
    private long _lastProgressTicks = time.GetTimestamp();

    public string Feed { get; set; } = FeedKinds.Simulated;

    private volatile string _state = FeedStates.Starting;

    /// <summary>starting, running, completed or failed.</summary>
    public string State
    {
        get => _state;
        set => _state = value;
    }

    public int Symbols { get; set; }

    public string? Error { get; set; }

    /// <summary>Replay only: fraction of the input read (0..1).</summary>
    public double? Progress { get; set; }

    /// <summary>True when the feed follows the wall clock (simulated, binance, paced replay).</summary>
    public bool RealTime { get; set; }

    /// <summary>Binance: request weight used in the current minute, as the server reports it.</summary>
    public int WeightUsed { get; set; }

    public int WeightLimit { get; set; }

    public int Connections { get; set; }

    /// <summary>A caveat to show with liquidation totals (the Binance feed's: they are a lower bound), or null.</summary>
    public string? LiquidationsNote { get; set; }

    public long CandlesIngested => Interlocked.Read(ref _candlesIngested);

    public long? LastOpenTime => Interlocked.Read(ref _lastOpenTime) is var v && v != long.MinValue ? v : null;

    public long MalformedRows => Interlocked.Read(ref _malformedRows);

    public long MalformedFrames => Interlocked.Read(ref _malformedFrames);

    public long Rejected => Interlocked.Read(ref _rejected);

    public long Reconnects => Interlocked.Read(ref _reconnects);

    public void AddIngested(long count, long newestOpenTime)
    {
        Interlocked.Add(ref _candlesIngested, count);
        long current;
        while (newestOpenTime > (current = Interlocked.Read(ref _lastOpenTime))
            && Interlocked.CompareExchange(ref _lastOpenTime, newestOpenTime, current) != current)
        {
        }
        _lastProgressTicks = time.GetTimestamp();
    }

    public void AddMalformedRow() => Interlocked.Increment(ref _malformedRows);

    public void AddMalformedFrame() => Interlocked.Increment(ref _malformedFrames);

    public void AddRejected(long n = 1) => Interlocked.Add(ref _rejected, n);

    public void AddReconnect() => Interlocked.Increment(ref _reconnects);

    /// <summary>Time since a candle was last stored (or since start).</summary>
    public TimeSpan SinceProgress => time.GetElapsedTime(_lastProgressTicks);

    /// <summary>How far the newest stored candle's close lies behind now.</summary>
    public long? LagMs => LastOpenTime is { } t ? Math.Max(0, time.GetUtcNow().ToUnixTimeMilliseconds() - (t + Market.Candle.MinuteMs)) : null;

    public FeedStatusResponse ToResponse() => new(Feed, State, Symbols, CandlesIngested, LastOpenTime, LagMs,
        MalformedRows, MalformedFrames, Rejected, Reconnects, Progress, Connections, WeightUsed, WeightLimit, Error, LiquidationsNote);
}
