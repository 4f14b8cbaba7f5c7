using Scalpaiboard.Market.Signals;

namespace Scalpaiboard.Market.Backtests;

/// <summary>
/// The inputs of a backtest (BACKTEST.md): the rule, the exits, the fee, the signal cooldown and the period.
/// Percentages are in percent (<c>2.0</c> = 2 %); <see cref="From"/> and <see cref="To"/> are Unix ms of candle open
/// times, <see cref="To"/> exclusive, null for all the history there is.
/// </summary>
public sealed record BacktestParameters
{
    public required PresetType Rule { get; init; }

    /// <summary>Target distance from the entry, percent.</summary>
    public double TakeProfitPct { get; init; } = 2.0;

    /// <summary>Stop distance from the entry, percent (&gt; 0: the R multiple divides by it).</summary>
    public double StopLossPct { get; init; } = 1.0;

    /// <summary>Time exit: the first candle that closes at least this long after the entry.</summary>
    public int MaxHoldMinutes { get; init; } = 240;

    /// <summary>Fee per side, percent of notional.</summary>
    public double FeePct { get; init; } = 0.04;

    /// <summary>The signal cooldown of SIGNALS.md.</summary>
    public int CooldownMinutes { get; init; } = 5;

    /// <summary>First traded candle open time (inclusive); the history before it only warms the engine up.</summary>
    public long? From { get; init; }

    /// <summary>End of the period (exclusive): candles opening at or after it are not read.</summary>
    public long? To { get; init; }

    /// <summary>+1 long, -1 short.</summary>
    public TradeSide Side => TradeSides.Of(Rule);

    /// <summary>What is wrong with the parameters, as (name, message) pairs; empty when they can run.</summary>
    public IReadOnlyList<(string Name, string Message)> Validate()
    {
        var errors = new List<(string, string)>();
        if (!Enum.IsDefined(Rule))
        {
            errors.Add((nameof(Rule), "must be one of the ten presets"));
        }
        if (!double.IsFinite(TakeProfitPct) || TakeProfitPct <= 0)
        {
            errors.Add((nameof(TakeProfitPct), "must be a number above 0"));
        }
        if (!double.IsFinite(StopLossPct) || StopLossPct <= 0 || StopLossPct >= 100)
        {
            errors.Add((nameof(StopLossPct), "must be a number above 0 and below 100"));
        }
        if (MaxHoldMinutes < 1)
        {
            errors.Add((nameof(MaxHoldMinutes), "must be at least 1 minute"));
        }
        if (!double.IsFinite(FeePct) || FeePct < 0)
        {
            errors.Add((nameof(FeePct), "must be a number of 0 or more"));
        }
        if (CooldownMinutes < 0)
        {
            errors.Add((nameof(CooldownMinutes), "must be 0 or more minutes"));
        }
        if (From is { } from && To is { } to && to <= from)
        {
            errors.Add((nameof(To), "must be later than From"));
        }
        return errors;
    }
}
