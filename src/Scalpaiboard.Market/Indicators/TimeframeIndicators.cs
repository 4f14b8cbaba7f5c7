namespace Scalpaiboard.Market.Indicators;

/// <summary>
/// Streaming headline indicators of one timeframe for one symbol. Closed bars are committed with
/// <see cref="OnBarClosed"/>; <see cref="Compute"/> gives the values as if the forming bar closed now, without
/// committing it. Both are O(1) and allocation-free.
/// CONTRACT between the market-core and market-indicators work: the indicators side fills this in.
/// </summary>
public sealed class TimeframeIndicators
{
    public void OnBarClosed(in Candle bar)
    {
        _ = bar;
    }

    public void Compute(in Candle forming, ref IndicatorValues values)
    {
        _ = forming;
        values = IndicatorValues.Unavailable;
    }

    public void Reset()
    {
    }
}
