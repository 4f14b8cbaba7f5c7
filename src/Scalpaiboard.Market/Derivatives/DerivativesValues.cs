using System.Runtime.InteropServices;

namespace Scalpaiboard.Market.Derivatives;

/// <summary>
/// The derivatives fields of one symbol at the close of one 1m candle (../docs/DERIVATIVES.md): open interest and
/// its change, the long/short ratios, funding, mark price and liquidation totals. NaN means unavailable (no source,
/// or not enough history), never 0. The fields are laid out in the order of <see cref="Names"/>, so a span of
/// doubles over them (<see cref="AsSpan"/>) is indexed by field.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct DerivativesValues
{
    /// <summary>Open interest in contracts (base asset).</summary>
    public double OpenInterest;

    /// <summary>Open interest in USDT.</summary>
    public double OpenInterestValue;

    /// <summary>Change of <see cref="OpenInterestValue"/> over 1h, 4h and 1d, in percent.</summary>
    public double OiChange1h;
    public double OiChange4h;
    public double OiChange1d;

    /// <summary>Global long/short account ratio.</summary>
    public double LongShortRatio;

    /// <summary>Top traders' long/short position ratio.</summary>
    public double TopTraderLongShortRatio;

    /// <summary>Taker buy/sell volume ratio.</summary>
    public double TakerBuySellRatio;

    /// <summary>Funding rate as a fraction (0.0001 = 0.01 %).</summary>
    public double FundingRate;

    /// <summary>Next funding time (Unix ms), live and simulated feeds only.</summary>
    public double NextFundingTime;

    /// <summary>Mark price, live and simulated feeds only.</summary>
    public double MarkPrice;

    /// <summary>USDT notional of forced orders that closed longs (SELL orders) and shorts (BUY orders) per window.</summary>
    public double LiquidationsLong5m;
    public double LiquidationsShort5m;
    public double LiquidationsLong1h;
    public double LiquidationsShort1h;
    public double LiquidationsLong1d;
    public double LiquidationsShort1d;

    /// <summary>The field names (the API's and the metrics frame's), in field order.</summary>
    public static readonly string[] Names =
    [
        "openInterest", "openInterestValue", "oiChange_1h", "oiChange_4h", "oiChange_1d", "longShortRatio",
        "topTraderLongShortRatio", "takerBuySellRatio", "fundingRate", "nextFundingTime", "markPrice",
        "liquidationsLong_5m", "liquidationsShort_5m", "liquidationsLong_1h", "liquidationsShort_1h",
        "liquidationsLong_1d", "liquidationsShort_1d",
    ];

    public const int Count = 17;

    /// <summary>Field indexes, in the order of <see cref="Names"/>.</summary>
    public const int OpenInterestField = 0, OpenInterestValueField = 1, OiChange1hField = 2, OiChange4hField = 3,
        OiChange1dField = 4, LongShortRatioField = 5, TopTraderField = 6, TakerField = 7, FundingRateField = 8,
        NextFundingTimeField = 9, MarkPriceField = 10, LiquidationsLong5mField = 11, LiquidationsShort5mField = 12,
        LiquidationsLong1hField = 13, LiquidationsShort1hField = 14, LiquidationsLong1dField = 15,
        LiquidationsShort1dField = 16;

    public static DerivativesValues Unavailable
    {
        get
        {
            var v = default(DerivativesValues);
            v.AsSpan().Fill(double.NaN);
            return v;
        }
    }

    /// <summary>The fields as doubles, indexed as <see cref="Names"/>.</summary>
    [System.Diagnostics.CodeAnalysis.UnscopedRef]
    public Span<double> AsSpan() => MemoryMarshal.CreateSpan(ref OpenInterest, Count);

    /// <summary>The liquidation total of a window (5m, 1h, 1d) and side (long, short, or both when null).</summary>
    public readonly double Liquidations(LiquidationWindow window, LiquidationSide? side) => (window, side) switch
    {
        (LiquidationWindow.M5, LiquidationSide.Long) => LiquidationsLong5m,
        (LiquidationWindow.M5, LiquidationSide.Short) => LiquidationsShort5m,
        (LiquidationWindow.M5, null) => LiquidationsLong5m + LiquidationsShort5m,
        (LiquidationWindow.H1, LiquidationSide.Long) => LiquidationsLong1h,
        (LiquidationWindow.H1, LiquidationSide.Short) => LiquidationsShort1h,
        (LiquidationWindow.H1, null) => LiquidationsLong1h + LiquidationsShort1h,
        (LiquidationWindow.D1, LiquidationSide.Long) => LiquidationsLong1d,
        (LiquidationWindow.D1, LiquidationSide.Short) => LiquidationsShort1d,
        _ => LiquidationsLong1d + LiquidationsShort1d,
    };

    /// <summary>The open-interest change over 1h, 4h or 1d.</summary>
    public readonly double OiChange(OiWindow window) => window switch
    {
        OiWindow.H1 => OiChange1h,
        OiWindow.H4 => OiChange4h,
        _ => OiChange1d,
    };
}

/// <summary>Which positions a liquidation closed: a forced SELL closes a long, a forced BUY a short.</summary>
public enum LiquidationSide : byte
{
    Long,
    Short,
}

public enum LiquidationWindow : byte
{
    M5,
    H1,
    D1,
}

public enum OiWindow : byte
{
    H1,
    H4,
    D1,
}
