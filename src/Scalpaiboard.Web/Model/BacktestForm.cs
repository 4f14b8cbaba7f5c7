namespace Scalpaiboard.Web.Model;

/// <summary>
/// The backtest form: exactly the inputs of <c>POST /api/backtests</c> (BACKTEST.md), prefilled with its defaults.
/// The Gateway validates them; its problem details come back onto these fields through <see cref="FieldFor"/>.
/// </summary>
public sealed class BacktestForm
{
    public static readonly string[] Rules =
    [
        "futures_big_bull_60", "futures_big_bear_60", "futures_pioneer_bull", "futures_pioneer_bear", "futures_5_big_bull",
        "futures_5_big_bear", "futures_15_big_bull", "futures_15_big_bear", "futures_bottom_hunter", "futures_top_hunter",
    ];

    public const string AllSymbols = "all";
    public const string WatchlistSymbols = "watchlist";
    public const string ListedSymbols = "list";

    public string? Rule { get; set; } = "futures_pioneer_bull";

    /// <summary><see cref="AllSymbols"/>, <see cref="WatchlistSymbols"/> (the user's watchlist, sent as a list) or <see cref="ListedSymbols"/>.</summary>
    public string? Symbols { get; set; } = AllSymbols;

    /// <summary>For <see cref="ListedSymbols"/>: symbols separated by commas or spaces.</summary>
    public string? SymbolList { get; set; }

    /// <summary>UTC; empty for all the history there is.</summary>
    public DateTime? From { get; set; }

    /// <summary>UTC, exclusive; empty for all the history there is.</summary>
    public DateTime? To { get; set; }

    public double? TakeProfitPct { get; set; } = 2.0;

    public double? StopLossPct { get; set; } = 1.0;

    public int? MaxHoldMinutes { get; set; } = 240;

    public double? FeePct { get; set; } = 0.04;

    public int? CooldownMinutes { get; set; } = 5;

    public IReadOnlyList<string> SymbolListItems() =>
        (SymbolList ?? "").Split([',', ' ', ';', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).ToList();

    /// <summary>
    /// The POST body: fields left empty are left out (the API's defaults apply); <paramref name="symbols"/> is the list to
    /// send, or null for all symbols.
    /// </summary>
    public Dictionary<string, object?> ToRequest(IReadOnlyList<string>? symbols)
    {
        var body = new Dictionary<string, object?> { ["rule"] = Rule, ["symbols"] = symbols is null ? AllSymbols : symbols };
        void Put(string key, object? value)
        {
            if (value is not null)
            {
                body[key] = value;
            }
        }
        Put("from", UnixMs(From));
        Put("to", UnixMs(To));
        Put("takeProfitPct", TakeProfitPct);
        Put("stopLossPct", StopLossPct);
        Put("maxHoldMinutes", MaxHoldMinutes);
        Put("feePct", FeePct);
        Put("cooldownMinutes", CooldownMinutes);
        return body;
    }

    /// <summary>The form filled in from a backtest's inputs (to run it again with changes).</summary>
    public static BacktestForm FromInputs(BacktestInputsDto inputs) => new()
    {
        Rule = inputs.Rule,
        Symbols = inputs.SymbolList is null ? AllSymbols : ListedSymbols,
        SymbolList = inputs.SymbolList is { } list ? string.Join(", ", list) : null,
        From = inputs.From is { } f ? DateTimeOffset.FromUnixTimeMilliseconds(f).UtcDateTime : null,
        To = inputs.To is { } t ? DateTimeOffset.FromUnixTimeMilliseconds(t).UtcDateTime : null,
        TakeProfitPct = inputs.TakeProfitPct,
        StopLossPct = inputs.StopLossPct,
        MaxHoldMinutes = inputs.MaxHoldMinutes,
        FeePct = inputs.FeePct,
        CooldownMinutes = inputs.CooldownMinutes,
    };

    /// <summary>The form field a problem key of <c>POST /api/backtests</c> names, or null for the form as a whole.</summary>
    public static string? FieldFor(string problemKey) => problemKey switch
    {
        "rule" => nameof(Rule),
        "symbols" => nameof(SymbolList),
        "from" => nameof(From),
        "to" => nameof(To),
        "takeProfitPct" => nameof(TakeProfitPct),
        "stopLossPct" => nameof(StopLossPct),
        "maxHoldMinutes" => nameof(MaxHoldMinutes),
        "feePct" => nameof(FeePct),
        "cooldownMinutes" => nameof(CooldownMinutes),
        _ => null,
    };

    // datetime-local carries no zone: the form's times are UTC, as the API's.
    private static long? UnixMs(DateTime? t) => t is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)).ToUnixTimeMilliseconds() : null;
}
