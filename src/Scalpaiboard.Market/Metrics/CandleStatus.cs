namespace Scalpaiboard.Market.Metrics;

/// <summary>What a symbol's state did with a closed 1m candle.</summary>
public enum CandleStatus
{
    /// <summary>The next minute: appended, metrics updated.</summary>
    Appended,

    /// <summary>Appended after a gap (open time later than latest + 1 min): windows restart from this candle.</summary>
    AppendedAfterGap,

    /// <summary>Same open time as the latest with different values: the latest was replaced and metrics recomputed.</summary>
    Replaced,

    /// <summary>Identical to a candle already held: ignored.</summary>
    Duplicate,

    /// <summary>Older than the latest and not a duplicate (or not minute-aligned with it): rejected and counted.</summary>
    Rejected,
}

public static class CandleStatuses
{
    /// <summary>True when the candle changed the state (a new snapshot is due).</summary>
    public static bool IsAccepted(this CandleStatus status) =>
        status is CandleStatus.Appended or CandleStatus.AppendedAfterGap or CandleStatus.Replaced;
}
