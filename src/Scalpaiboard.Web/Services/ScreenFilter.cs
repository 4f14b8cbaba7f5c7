using System.Globalization;

namespace Scalpaiboard.Web.Services;

/// <summary>
/// The screener's filter: a search text and min/max bounds on columns, carried in the query string as
/// <c>min_change_1h=1&amp;max_rsi14_1h=70</c> and sent to <c>GET /api/coins</c> as <c>minChange_1h</c>/<c>maxRsi14_1h</c>.
/// </summary>
public sealed record ScreenFilter(string? Search, IReadOnlyDictionary<string, double> Min, IReadOnlyDictionary<string, double> Max)
{
    /// <summary>The columns the filter form offers.</summary>
    public static readonly string[] Fields =
    [
        "change_5m", "change_15m", "change_1h", "change_4h", "change_1d", "quoteVolume_5m", "quoteVolume_1h", "quoteVolume_1d",
        "rsi14_15m", "rsi14_1h", "atrPercent_1h", "bbPercentB_1h", "vcp_1h", "signals_1h",
    ];

    public static ScreenFilter FromQuery(IQueryCollection query)
    {
        var min = new Dictionary<string, double>();
        var max = new Dictionary<string, double>();
        foreach (var (key, value) in query)
        {
            var bounds = key.StartsWith("min_", StringComparison.Ordinal) ? min : key.StartsWith("max_", StringComparison.Ordinal) ? max : null;
            var field = ScreenerColumns.Find(key.Length > 4 ? key[4..] : null)?.Key;
            if (bounds is not null && field is not null
                && double.TryParse(value.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
            {
                bounds[field] = number;
            }
        }
        var search = query["search"].ToString().Trim();
        return new ScreenFilter(search.Length == 0 ? null : search, min, max);
    }

    public bool IsEmpty => Search is null && Min.Count == 0 && Max.Count == 0;

    /// <summary>The query parameters of <c>GET /api/coins</c> for this filter.</summary>
    public Dictionary<string, string?> ToGatewayQuery()
    {
        var q = new Dictionary<string, string?> { ["search"] = Search };
        foreach (var (k, v) in Min)
        {
            q["min" + char.ToUpperInvariant(k[0]) + k[1..]] = v.ToString("R", CultureInfo.InvariantCulture);
        }
        foreach (var (k, v) in Max)
        {
            q["max" + char.ToUpperInvariant(k[0]) + k[1..]] = v.ToString("R", CultureInfo.InvariantCulture);
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
