using Scalpaiboard.Ingest.Services;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Indicators;

namespace Scalpaiboard.Ingest.Model;

/// <summary>
/// The numeric columns of a coin (the screener's columns): every one can be sorted by (<c>sortBy</c>) and filtered
/// with <c>min&lt;Field&gt;</c> / <c>max&lt;Field&gt;</c>. Values are null when unavailable.
/// </summary>
public static class CoinFields
{
    private delegate double Getter(SymbolState s);

    private static readonly (string Name, Getter Get)[] Table = Build();

    public static readonly string[] Names = Table.Select(t => t.Name).ToArray();

    private static readonly Dictionary<string, int> Index =
        Names.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i, StringComparer.OrdinalIgnoreCase);

    public static bool TryFind(string name, out int index) => Index.TryGetValue(name, out index);

    /// <summary>Reads every field of a symbol (call under the symbol's lock). NaN = unavailable.</summary>
    public static double[] Read(SymbolState s)
    {
        var values = new double[Table.Length];
        for (var i = 0; i < Table.Length; i++)
        {
            values[i] = Table[i].Get(s);
        }
        return values;
    }

    public static Dictionary<string, object?> ToJson(string symbol, double[] values)
    {
        var d = new Dictionary<string, object?>(Table.Length + 1) { ["symbol"] = symbol };
        for (var i = 0; i < Table.Length; i++)
        {
            d[Table[i].Name] = double.IsFinite(values[i]) ? values[i] : null;
        }
        return d;
    }

    private static (string, Getter)[] Build()
    {
        var list = new List<(string, Getter)>
        {
            ("price", s => s.Price),
            ("openTime", s => s.LastClosed?.OpenTime ?? double.NaN),
        };
        string[] windows = ["5m", "15m", "1h", "4h", "8h", "1d"];
        for (var w = 0; w < windows.Length; w++)
        {
            var wi = w;
            list.Add(($"change_{windows[w]}", s => s.Metrics?.Change[wi] ?? double.NaN));
        }
        for (var w = 0; w < windows.Length; w++)
        {
            var wi = w;
            list.Add(($"quoteVolume_{windows[w]}", s => s.Metrics?.QuoteVolume[wi] ?? double.NaN));
        }
        list.Add(("high_1d", s => s.Metrics?.High[5] ?? double.NaN));
        list.Add(("low_1d", s => s.Metrics?.Low[5] ?? double.NaN));
        list.Add(("trades_1d", s => s.Metrics?.Trades[5] ?? double.NaN));
        list.Add(("baseVolume_1d", s => s.Metrics?.BaseVolume[5] ?? double.NaN));
        static Getter Ind(Timeframe tf, Func<IndicatorValues, double> f) =>
            s => s.Metrics is { } m ? f(m.Indicators[(int)tf]) : double.NaN;
        list.Add(("rsi14_15m", Ind(Timeframe.M15, v => v.Rsi14)));
        list.Add(("rsi14_1h", Ind(Timeframe.H1, v => v.Rsi14)));
        list.Add(("rsi14_4h", Ind(Timeframe.H4, v => v.Rsi14)));
        list.Add(("macd_1h", Ind(Timeframe.H1, v => v.Macd)));
        list.Add(("macdSignal_1h", Ind(Timeframe.H1, v => v.MacdSignal)));
        list.Add(("macdHistogram_1h", Ind(Timeframe.H1, v => v.MacdHistogram)));
        list.Add(("bbPercentB_1h", Ind(Timeframe.H1, v => v.BbPercentB)));
        list.Add(("bbWidth_1h", Ind(Timeframe.H1, v => v.BbWidth)));
        list.Add(("atrPercent_1h", Ind(Timeframe.H1, v => v.AtrPercent)));
        list.Add(("vcp_1h", Ind(Timeframe.H1, v => v.Vcp)));
        list.Add(("sma20_1h", Ind(Timeframe.H1, v => v.Sma20)));
        list.Add(("ema20_1h", Ind(Timeframe.H1, v => v.Ema20)));
        list.Add(("ema50_1h", Ind(Timeframe.H1, v => v.Ema50)));
        list.Add(("stochK_1h", Ind(Timeframe.H1, v => v.StochK)));
        list.Add(("stochD_1h", Ind(Timeframe.H1, v => v.StochD)));
        list.Add(("adx14_1h", Ind(Timeframe.H1, v => v.Adx14)));
        list.Add(("cci20_1h", Ind(Timeframe.H1, v => v.Cci20)));
        list.Add(("williamsR14_1h", Ind(Timeframe.H1, v => v.WilliamsR14)));
        list.Add(("vwap_1h", Ind(Timeframe.H1, v => v.Vwap)));
        list.Add(("pivotPp_1h", Ind(Timeframe.H1, v => v.PivotPp)));
        list.Add(("pivotR1_1h", Ind(Timeframe.H1, v => v.PivotR1)));
        list.Add(("pivotS1_1h", Ind(Timeframe.H1, v => v.PivotS1)));
        // Distance of the price to the pivot levels, in percent of the level (positive: price above it).
        list.Add(("pivotPpDistance_1h", s => Distance(s, v => v.PivotPp)));
        list.Add(("pivotR1Distance_1h", s => Distance(s, v => v.PivotR1)));
        list.Add(("pivotS1Distance_1h", s => Distance(s, v => v.PivotS1)));
        // The trend indicators (live like the others since issue 21): SuperTrend's direction (+1 up, -1 down) on
        // three timeframes, so a screen can ask for trends that agree; the levels on 1h.
        list.Add(("superTrendDirection_15m", Ind(Timeframe.M15, v => v.SuperTrendDirection)));
        list.Add(("superTrendDirection_1h", Ind(Timeframe.H1, v => v.SuperTrendDirection)));
        list.Add(("superTrendDirection_4h", Ind(Timeframe.H4, v => v.SuperTrendDirection)));
        list.Add(("superTrend_1h", Ind(Timeframe.H1, v => v.SuperTrend)));
        list.Add(("psar_1h", Ind(Timeframe.H1, v => v.Psar)));
        list.Add(("donchianUpper20_1h", Ind(Timeframe.H1, v => v.DonchianUpper20)));
        list.Add(("donchianLower20_1h", Ind(Timeframe.H1, v => v.DonchianLower20)));
        list.Add(("keltnerUpper_1h", Ind(Timeframe.H1, v => v.KeltnerUpper)));
        list.Add(("keltnerLower_1h", Ind(Timeframe.H1, v => v.KeltnerLower)));
        list.Add(("roc20_1h", Ind(Timeframe.H1, v => v.Roc20)));
        list.Add(("obv_1h", Ind(Timeframe.H1, v => v.Obv)));
        list.Add(("signals_1h", s => s.LastClosed is null ? double.NaN : s.SignalsLastHour));
        // Open interest, funding, ratios and liquidations at the last close (../docs/DERIVATIVES.md), by their own names.
        for (var i = 0; i < Market.Derivatives.DerivativesValues.Count; i++)
        {
            var field = i;
            list.Add((Market.Derivatives.DerivativesValues.Names[i], s => s.Metrics is { } m ? m.Derivatives.AsSpan()[field] : double.NaN));
        }
        return list.ToArray();
    }

    private static double Distance(SymbolState s, Func<IndicatorValues, double> level)
    {
        if (s.Metrics is not { } m)
        {
            return double.NaN;
        }
        var l = level(m.Indicators[(int)Timeframe.H1]);
        return l > 0 ? (s.Price / l - 1) * 100 : double.NaN;
    }
}
