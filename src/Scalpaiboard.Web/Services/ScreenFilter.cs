using System.Globalization;

namespace Scalpaiboard.Web.Services;

/// <summary>
/// The screener's filter: a search text and min/max bounds on columns, carried in the query string as
/// <c>min_change_1h=1&amp;max_rsi14_1h=70</c> and sent to <c>GET /api/coins</c> as <c>minChange_1h</c>/<c>maxRsi14_1h</c>.
/// Bounds are in the units the column shows: a funding rate in percent (<c>min_fundingRate=0.01</c> is
/// <c>minFundingRate=0.0001</c>), and amounts may carry K, M or B (<c>min_openInterestValue=50M</c>).
/// </summary>
public sealed record ScreenFilter(string? Search, IReadOnlyDictionary<string, double> Min, IReadOnlyDictionary<string, double> Max)
{
    /// <summary>The columns the filter form offers.</summary>
    public static readonly string[] Fields =
    [
        "change_5m", "change_15m", "change_1h", "change_4h", "change_1d", "quoteVolume_5m", "quoteVolume_1h", "quoteVolume_1d",
        "rsi14_15m", "rsi14_1h", "atrPercent_1h", "bbPercentB_1h", "vcp_1h", "signals_1h",
        "fundingRate", "oiChange_1h", "oiChange_4h", "oiChange_1d", "openInterestValue",
    ];

    public static ScreenFilter FromQuery(IQueryCollection query)
    {
        var min = new Dictionary<string, double>();
        var max = new Dictionary<string, double>();
        foreach (var (key, value) in query)
        {
            var bounds = key.StartsWith("min_", StringComparison.Ordinal) ? min : key.StartsWith("max_", StringComparison.Ordinal) ? max : null;
            var field = ScreenerColumns.Find(key.Length > 4 ? key[4..] : null)?.Key;
            if (bounds is not null && field is not null && TryParseBound(value.ToString(), out var number))
            {
                bounds[field] = number;
            }
        }
        var search = query["search"].ToString().Trim();
        return new ScreenFilter(search.Length == 0 ? null : search, min, max);
    }

    public bool IsEmpty => Search is null && Min.Count == 0 && Max.Count == 0;

    /// <summary>A number, optionally with a K/M/B multiplier (case-insensitive): "2.5", "-0.01", "50M".</summary>
    public static bool TryParseBound(string text, out double value)
    {
        text = text.Trim();
        var multiplier = text.Length > 1 ? char.ToUpperInvariant(text[^1]) switch { 'K' => 1e3, 'M' => 1e6, 'B' => 1e9, _ => 1 } : 1;
        if (multiplier != 1)
        {
            text = text[..^1];
        }
        var ok = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
        value *= multiplier;
        return ok;
    }

    /// <summary>A bound as <c>GET /api/coins</c> takes it: funding rates are fractions there, percentages here.</summary>
    private static string GatewayValue(string field, double value) =>
        (ScreenerColumns.Find(field)?.Kind == ColumnKind.Funding ? value / 100 : value).ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The query parameters of <c>GET /api/coins</c> for this filter.</summary>
    public Dictionary<string, string?> ToGatewayQuery()
    {
        var q = new Dictionary<string, string?> { ["search"] = Search };
        foreach (var (k, v) in Min)
        {
            q["min" + char.ToUpperInvariant(k[0]) + k[1..]] = GatewayValue(k, v);
        }
        foreach (var (k, v) in Max)
        {
            q["max" + char.ToUpperInvariant(k[0]) + k[1..]] = GatewayValue(k, v);
        }
        return q;
    }

    /// <summary>This page's own query string for the filter (sort parameters added by the caller).</summary>
    public Dictionary<string, string?> ToPageQuery()
    {
        var q = new Dictionary<string, string?> { ["search"] = Search };
        foreach (var (k, v) in Min)
        {
            q["min_" + k] = v.ToString("R", CultureInfo.InvariantCulture);
        }
        foreach (var (k, v) in Max)
        {
            q["max_" + k] = v.ToString("R", CultureInfo.InvariantCulture);
        }
        return q;
    }

    /// <summary>
    /// The alert conditions equivalent to this filter (AND), and the bounds that have no alert condition.
    /// Windows of change/volume are rolling windows; RSI is on the column's timeframe.
    /// </summary>
    public (List<Model.AlertConditionDto> Conditions, List<string> Unsupported) ToAlertConditions()
    {
        var conditions = new List<Model.AlertConditionDto>();
        var unsupported = new List<string>();
        if (Search is not null)
        {
            unsupported.Add("search");
        }
        foreach (var (bounds, isMin) in new[] { (Min, true), (Max, false) })
        {
            foreach (var (field, value) in bounds)
            {
                var window = field[(field.IndexOf('_') + 1)..];
                var condition = field switch
                {
                    _ when field.StartsWith("change_", StringComparison.Ordinal) => new Model.AlertConditionDto(isMin ? "change_above" : "change_below", value, window, null),
                    _ when field.StartsWith("quoteVolume_", StringComparison.Ordinal) && isMin => new Model.AlertConditionDto("volume_above", value, window, null),
                    _ when field.StartsWith("rsi14_", StringComparison.Ordinal) => new Model.AlertConditionDto(isMin ? "rsi_above" : "rsi_below", value, window, null),
                    _ => null,
                };
                if (condition is null)
                {
                    unsupported.Add((isMin ? "min " : "max ") + field);
                }
                else
                {
                    conditions.Add(condition);
                }
            }
        }
        return (conditions, unsupported);
    }
}
