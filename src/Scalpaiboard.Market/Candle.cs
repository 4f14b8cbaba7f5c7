namespace Scalpaiboard.Market;

/// <summary>
/// One closed (or forming) 1-minute kline as Binance reports it. Times are Unix milliseconds (UTC);
/// prices and volumes are doubles inside the engine (decimal only at API and storage edges).
/// </summary>
public readonly record struct Candle(
    long OpenTime,
    double Open,
    double High,
    double Low,
    double Close,
    double Volume,
    double QuoteVolume,
    long Trades,
    double TakerBuyVolume,
    double TakerBuyQuoteVolume)
{
    public const long MinuteMs = 60_000;

    public long CloseTime => OpenTime + MinuteMs - 1;
}
