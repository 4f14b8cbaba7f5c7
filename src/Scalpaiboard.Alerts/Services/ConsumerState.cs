namespace Scalpaiboard.Alerts.Services;

/// <summary>What the consumer is doing, for /health and logs (written by the consumer loop only).</summary>
public sealed class ConsumerState
{
    public string ConsumerName { get; set; } = "";

    public bool Running { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset? LastErrorAt { get; set; }

    public string? LastEntryId { get; set; }

    /// <summary>How long the last processed entry waited in the stream (processing time minus the entry id's time).</summary>
    public TimeSpan LastLag { get; set; }

    public DateTimeOffset? LastProcessedAt { get; set; }

    /// <summary>True after a read that found nothing new (the consumer has caught up with the stream).</summary>
    public bool CaughtUp { get; set; }

    public long Processed;

    public long Signals;

    public long Triggers;
}
