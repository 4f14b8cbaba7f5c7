using System.Diagnostics.CodeAnalysis;
using Scalpaiboard.Market;
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

    /// <summary>
    /// Applies a closed candle. Returns false for a candle older than the latest (rejected) or an exact duplicate of
    /// one held; otherwise the engine's own snapshot of the symbol (read it before the symbol's next candle, do not
    /// change it) and the presets that fired.
    /// </summary>
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

    public bool TryApply(string symbol, in Candle candle, [NotNullWhen(true)] out MetricsSnapshot? snapshot, out PresetMask fired)
    {
        var update = engine.OnClosedCandle(symbol, candle);
        if (!update.Status.IsAccepted() || update.Snapshot is null)
        {
            snapshot = null;
            fired = PresetMask.None;
            return false;
        }
        snapshot = update.Snapshot;
        fired = update.Fired;
        return true;
    }
}
