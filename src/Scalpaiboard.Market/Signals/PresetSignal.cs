namespace Scalpaiboard.Market.Signals;

/// <summary>
/// A fired preset. Its identity is (symbol, type, open time of the candle whose close fired it): evaluating the
/// same candle again (replay, redelivery, restart) gives the same <see cref="Id"/>, so storage can upsert on it.
/// </summary>
public readonly record struct PresetSignal(string Symbol, PresetType Type, long OpenTime, double Price)
{
    public SignalKey Key => new(Symbol, Type, OpenTime);

    /// <summary>Stable text id, e.g. <c>BTCUSDT:futures_pioneer_bull:1772423400000</c>.</summary>
    public string Id => Key.ToString();
}

/// <summary>The identity of a preset signal.</summary>
public readonly record struct SignalKey(string Symbol, PresetType Type, long OpenTime)
{
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Symbol}:{Type.Key()}:{OpenTime}");
}
