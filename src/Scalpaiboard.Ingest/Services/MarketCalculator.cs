using System.Diagnostics.CodeAnalysis;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Derivatives;
using Scalpaiboard.Market.Metrics;
using Scalpaiboard.Market.Signals;

namespace Scalpaiboard.Ingest.Services;

/// <summary>
/// The one place the ingest calls the market engine (<see cref="MarketEngine"/>): closed 1m candles in, a
/// <see cref="MetricsSnapshot"/> and the fired presets out. Not thread-safe: the ingest pipeline calls it under
/// its lock, from one feed at a time.
/// </summary>
public sealed class MarketCalculator(MarketEngine engine)
{
    public MarketCalculator() : this(new MarketEngine())
    {
    }

    /// <summary>Candles refused because they were older than the symbol's latest.</summary>
    public long Rejected => engine.Rejected;

    /// <summary>Records derivatives samples in the engine (<see cref="MarketEngine.OnDerivatives"/>).</summary>
    public void ApplyDerivatives(IReadOnlyList<DerivativesUpdate> updates)
    {
        for (var i = 0; i < updates.Count; i++)
        {
            engine.OnDerivatives(updates[i]);
        }
    }

    public bool TracksLiquidations
    {
        get => engine.TracksLiquidations;
        set => engine.TracksLiquidations = value;
    }

    /// <summary>
    /// Applies a closed candle. Returns false for a candle older than the latest (rejected) or an exact duplicate of
    /// one held; otherwise the engine's own snapshot and aligned bars of the symbol (read them before the symbol's next
    /// candle, or under the lock the caller applies it with; do not change them) and the presets that fired.
    /// </summary>
    public bool TryApply(string symbol, in Candle candle, [NotNullWhen(true)] out MetricsSnapshot? snapshot, [NotNullWhen(true)] out BarBuilder? bars,
        out PresetMask fired)
    {
        var update = engine.OnClosedCandle(symbol, candle);
        if (!update.Status.IsAccepted() || update.Snapshot is null || update.Bars is null)
        {
            snapshot = null;
            bars = null;
            fired = PresetMask.None;
            return false;
        }
        snapshot = update.Snapshot;
        bars = update.Bars;
        fired = update.Fired;
        return true;
    }
}
