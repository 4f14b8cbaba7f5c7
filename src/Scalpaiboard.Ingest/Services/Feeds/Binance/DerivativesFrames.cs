using System.Text.Json;
using Scalpaiboard.Market.Derivatives;

namespace Scalpaiboard.Ingest.Services.Feeds.Binance;

/// <summary>
/// The two all-market derivatives streams of Binance USDT-M futures, read into samples of the tracked symbols
/// (others, such as USDC pairs and delivery contracts, are passed over). A payload with a bad value of a tracked
/// symbol throws (<see cref="FormatException"/> and the like): the frame is rejected and counted as a whole.
/// </summary>
internal static class DerivativesFrames
{
    /// <summary>Mark price, funding rate and next funding time of every symbol, once a second.</summary>
    public const string MarkPriceStream = "!markPrice@arr@1s";

    /// <summary>Liquidations: per symbol at most the latest forced order of each second (totals are a lower bound).</summary>
    public const string ForceOrderStream = "!forceOrder@arr";

    /// <summary>
    /// A <c>!markPrice@arr@1s</c> payload: an array of <c>markPriceUpdate</c> events (<c>E</c> event time, <c>s</c>
    /// symbol, <c>p</c> mark price, <c>r</c> funding rate, <c>T</c> next funding time). An empty rate (<c>""</c>,
    /// which Binance sends for contracts without funding) is unavailable, not malformed.
    /// </summary>
    public static List<DerivativesUpdate> MarkPrices(JsonElement data, IReadOnlySet<string> symbols)
    {
        if (data.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("markPrice payload is not an array");
        }
        var updates = new List<DerivativesUpdate>(symbols.Count);
        foreach (var item in data.EnumerateArray())
        {
            var symbol = BinanceJson.Text(item, "s");
            if (!symbols.Contains(symbol))
            {
                continue;
            }
            var time = BinanceJson.Integer(item, "E");
            var mark = BinanceJson.Number(item, "p");
            var r = item.GetProperty("r");
            var noRate = r.ValueKind == JsonValueKind.String && r.GetString() == "";
            var rate = noRate ? double.NaN : BinanceJson.Value(r, "r");
            var next = BinanceJson.Integer(item, "T");
            if (time <= 0 || !(mark > 0) || !double.IsFinite(mark) || (!noRate && !double.IsFinite(rate)) || next < 0)
            {
                throw new FormatException($"markPrice of {symbol} out of range");
            }
            updates.Add(DerivativesUpdate.Of(symbol, new MarkPriceSample(time, mark, rate, next)));
        }
        return updates;
    }

    /// <summary>
    /// A <c>!forceOrder@arr</c> payload: one <c>forceOrder</c> event (an array of them is read too) whose order
    /// <c>o</c> has the symbol <c>s</c>, the side <c>S</c> (a SELL order closes a long, a BUY order a short), the
    /// average price <c>ap</c> (the order price <c>p</c> when no fill price is given), the filled accumulated quantity
    /// <c>z</c> (the original quantity <c>q</c> when absent) and the trade time <c>T</c>.
    /// </summary>
    public static List<DerivativesUpdate> ForceOrders(JsonElement data, IReadOnlySet<string> symbols)
    {
        var updates = new List<DerivativesUpdate>(1);
        if (data.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in data.EnumerateArray())
            {
                ReadForceOrder(item, symbols, updates);
            }
        }
        else
        {
            ReadForceOrder(data, symbols, updates);
        }
        return updates;
    }

    private static void ReadForceOrder(JsonElement e, IReadOnlySet<string> symbols, List<DerivativesUpdate> into)
    {
        var o = e.GetProperty("o");
        var symbol = BinanceJson.Text(o, "s");
        if (!symbols.Contains(symbol))
        {
            return;
        }
        var side = BinanceJson.Text(o, "S") switch
        {
            "SELL" => LiquidationSide.Long,
            "BUY" => LiquidationSide.Short,
            var other => throw new FormatException($"forceOrder side '{other}'"),
        };
        var price = o.TryGetProperty("ap", out var ap) ? BinanceJson.Value(ap, "ap") : 0;
        if (price == 0)
        {
            price = BinanceJson.Number(o, "p");
        }
        var quantity = o.TryGetProperty("z", out var z) ? BinanceJson.Value(z, "z") : BinanceJson.Number(o, "q");
        var time = BinanceJson.Integer(o, "T");
        if (!(price > 0) || !double.IsFinite(price) || !(quantity >= 0) || !double.IsFinite(quantity) || time <= 0)
        {
            throw new FormatException($"forceOrder of {symbol} out of range");
        }
        into.Add(DerivativesUpdate.Of(symbol, new Liquidation(time, side, price, quantity)));
    }
}
