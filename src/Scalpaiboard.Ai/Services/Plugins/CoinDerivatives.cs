using System.Globalization;
using System.Text.Json.Nodes;
using Scalpaiboard.Ai.Services.Patterns;

namespace Scalpaiboard.Ai.Services.Plugins;

/// <summary>
/// The derivatives part of <c>get_coin_analysis</c>: open interest, funding, long/short ratios and liquidations of a
/// coin's <c>/api/coins/{symbol}</c> row (../docs/DERIVATIVES.md), grouped and in the units people speak of them
/// (funding in percent, the next funding as a UTC time). An unavailable value stays null and is named in
/// <c>unavailable</c>, so neither the model nor the local answer can take it for 0.
/// </summary>
public static class CoinDerivatives
{
    /// <summary>Binance's liquidation stream sends at most one order per symbol per second (DERIVATIVES.md).</summary>
    public const string LiquidationsNote =
        "liquidations are USDT notional of forced orders and a lower bound: Binance reports at most one liquidation per symbol per second";

    /// <summary>The fields <see cref="Describe"/> reports, by their API names.</summary>
    public static readonly string[] Fields =
    [
        "openInterest", "openInterestValue", "oiChange_1h", "oiChange_4h", "oiChange_1d", "fundingRate", "nextFundingTime",
        "markPrice", "longShortRatio", "topTraderLongShortRatio", "takerBuySellRatio",
        "liquidationsLong_1h", "liquidationsShort_1h", "liquidationsLong_1d", "liquidationsShort_1d",
    ];

    public static JsonObject Describe(JsonNode? coin, DateTimeOffset now)
    {
        double Get(string field) => Bar.Number(coin?[field]);
        var funding = Get("fundingRate");
        var next = Get("nextFundingTime");
        var unavailable = new JsonArray();
        foreach (var field in Fields)
        {
            if (!double.IsFinite(Get(field)))
            {
                unavailable.Add(field);
            }
        }
        return new JsonObject
        {
            ["openInterest"] = Value(Get("openInterest")),
            ["openInterestValue"] = Value(Get("openInterestValue")),
            ["oiChangePercent"] = new JsonObject
            {
                ["1h"] = Value(Get("oiChange_1h")),
                ["4h"] = Value(Get("oiChange_4h")),
                ["1d"] = Value(Get("oiChange_1d")),
            },
            ["fundingRate"] = Value(funding),
            ["fundingRatePercent"] = double.IsFinite(funding) ? Math.Round(funding * 100, 6) : null,
            ["nextFundingTime"] = double.IsFinite(next)
                ? DateTimeOffset.FromUnixTimeMilliseconds((long)next).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
                : null,
            ["minutesToNextFunding"] = double.IsFinite(next)
                ? Math.Max(0, (long)Math.Ceiling((next - now.ToUnixTimeMilliseconds()) / 60_000))
                : null,
            ["markPrice"] = Value(Get("markPrice")),
            ["longShortRatio"] = Value(Get("longShortRatio")),
            ["topTraderLongShortRatio"] = Value(Get("topTraderLongShortRatio")),
            ["takerBuySellRatio"] = Value(Get("takerBuySellRatio")),
            ["liquidationsUsdt"] = new JsonObject
            {
                ["long_1h"] = Value(Get("liquidationsLong_1h")),
                ["short_1h"] = Value(Get("liquidationsShort_1h")),
                ["long_1d"] = Value(Get("liquidationsLong_1d")),
                ["short_1d"] = Value(Get("liquidationsShort_1d")),
            },
            ["note"] = "null = unavailable (no data from the feed yet), never 0; fundingRate is a fraction (0.0001 = 0.01 %); " + LiquidationsNote,
            ["unavailable"] = unavailable,
        };
    }

    private static JsonNode? Value(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
}
