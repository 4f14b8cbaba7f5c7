using System.Buffers;
using System.Text;
using System.Text.Json;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Derivatives;
using Scalpaiboard.Market.Metrics;

using MarketWindows = Scalpaiboard.Market.Metrics.Windows;

namespace Scalpaiboard.Alerts.Services;

/// <summary>
/// The <c>metrics</c> object stored with a signal or trigger: price, every window's change and quote volume, the
/// headline RSI/MACD per timeframe, and the derivatives values the alert conditions watch (DERIVATIVES.md names).
/// Unavailable values are left out (never written as zero). At most 40 numbers, all of which an e-mail lists.
/// </summary>
public static class MetricsJson
{
    private static readonly Timeframe[] IndicatorTimeframes = [Timeframe.M5, Timeframe.M15, Timeframe.H1, Timeframe.H4];

    /// <summary>Funding, the open-interest changes and the 5m/1h liquidations (the conditions' values), open interest and the long/short ratio.</summary>
    private static readonly int[] DerivativesFields =
    [
        DerivativesValues.OpenInterestValueField, DerivativesValues.OiChange1hField, DerivativesValues.OiChange4hField,
        DerivativesValues.OiChange1dField, DerivativesValues.FundingRateField, DerivativesValues.LongShortRatioField,
        DerivativesValues.LiquidationsLong5mField, DerivativesValues.LiquidationsShort5mField,
        DerivativesValues.LiquidationsLong1hField, DerivativesValues.LiquidationsShort1hField,
    ];

    public static string Write(MetricsSnapshot s)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            Number(w, "price", s.Price);
            Number(w, "previousPrice", s.PreviousPrice);
            for (var i = 0; i < MarketWindows.Count; i++)
            {
                Number(w, "change_" + MarketWindows.Names[i], s.Change[i]);
            }
            for (var i = 0; i < MarketWindows.Count; i++)
            {
                Number(w, "quoteVolume_" + MarketWindows.Names[i], s.QuoteVolume[i]);
            }
            foreach (var tf in IndicatorTimeframes)
            {
                var v = s.Indicators[(int)tf];
                var name = tf.Name();
                Number(w, "rsi14_" + name, v.Rsi14);
                Number(w, "macd_" + name, v.Macd);
                Number(w, "macdSignal_" + name, v.MacdSignal);
                Number(w, "bbPercentB_" + name, v.BbPercentB);
            }
            var derivatives = s.Derivatives.AsSpan();
            foreach (var field in DerivativesFields)
            {
                Number(w, DerivativesValues.Names[field], derivatives[field]);
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, value);
        }
    }
}
