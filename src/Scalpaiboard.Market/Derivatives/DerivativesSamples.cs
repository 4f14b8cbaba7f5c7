namespace Scalpaiboard.Market.Derivatives;

/// <summary>
/// One 5-minute open-interest and ratios sample (a Binance public-data <c>metrics</c> row, or the REST endpoints'
/// values for one period), known from <see cref="Time"/> (Unix ms). NaN for a value the source did not give.
/// </summary>
public readonly record struct OpenInterestSample(
    long Time, double OpenInterest, double OpenInterestValue, double LongShortRatio, double TopTraderLongShortRatio,
    double TakerBuySellRatio) : ITimed;

/// <summary>A funding rate (fraction) known from <see cref="Time"/> (Unix ms): a settlement, or the stream's current rate.</summary>
public readonly record struct FundingSample(long Time, double Rate) : ITimed;

/// <summary>The mark-price stream's state of a symbol at <see cref="Time"/>: mark price, current funding rate, next funding time.</summary>
public readonly record struct MarkPriceSample(long Time, double MarkPrice, double FundingRate, long NextFundingTime);

/// <summary>A forced order (liquidation): its time (Unix ms), the side of the positions it closed, and its USDT notional.</summary>
public readonly record struct Liquidation(long Time, LiquidationSide Side, double Price, double Quantity)
{
    /// <summary>Filled quantity times average price.</summary>
    public double Notional => Price * Quantity;
}

/// <summary>One derivatives update of a symbol, as feeds deliver them.</summary>
public readonly record struct DerivativesUpdate
{
    private DerivativesUpdate(string symbol, DerivativesKind kind, OpenInterestSample oi, FundingSample funding, MarkPriceSample mark, Liquidation liquidation)
    {
        Symbol = symbol;
        Kind = kind;
        OpenInterest = oi;
        Funding = funding;
        Mark = mark;
        Liquidation = liquidation;
    }

    public string Symbol { get; }

    public DerivativesKind Kind { get; }

    public OpenInterestSample OpenInterest { get; }

    public FundingSample Funding { get; }

    public MarkPriceSample Mark { get; }

    public Liquidation Liquidation { get; }

    /// <summary>When it became known (Unix ms): the merge key of replays.</summary>
    public long Time => Kind switch
    {
        DerivativesKind.OpenInterest => OpenInterest.Time,
        DerivativesKind.Funding => Funding.Time,
        DerivativesKind.MarkPrice => Mark.Time,
        _ => Liquidation.Time,
    };

    public static DerivativesUpdate Of(string symbol, in OpenInterestSample sample) => new(symbol, DerivativesKind.OpenInterest, sample, default, default, default);

    public static DerivativesUpdate Of(string symbol, in FundingSample sample) => new(symbol, DerivativesKind.Funding, default, sample, default, default);

    public static DerivativesUpdate Of(string symbol, in MarkPriceSample sample) => new(symbol, DerivativesKind.MarkPrice, default, default, sample, default);

    public static DerivativesUpdate Of(string symbol, in Liquidation liquidation) => new(symbol, DerivativesKind.Liquidation, default, default, default, liquidation);
}

public enum DerivativesKind : byte
{
    OpenInterest,
    Funding,
    MarkPrice,
    Liquidation,
}
