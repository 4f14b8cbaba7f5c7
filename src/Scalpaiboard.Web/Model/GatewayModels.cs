using System.Text.Json;
using System.Text.Json.Serialization;

namespace Scalpaiboard.Web.Model;

// The Gateway's wire shapes (CONTRACT.md) as the pages read them. Fields the UI does not need are left out;
// open-ended parts (coin columns, metrics, signal metrics) stay JsonElement/dictionaries so new fields show up.

public sealed record TokenResponse(string TokenType, string AccessToken, long ExpiresIn, string RefreshToken);

public sealed record CoinsPage(List<Dictionary<string, JsonElement>> Data, int Total, int Page, int PageSize);

public sealed record CandleDto(long OpenTime, double Open, double High, double Low, double Close, double Volume, double QuoteVolume, long Trades);

public sealed record CandlesResponse(string Symbol, string Timeframe, List<CandleDto> Candles);

public sealed record SignalDto(long Id, string Symbol, string Type, long OpenTime, DateTimeOffset Time, double Price, JsonElement Metrics);

public sealed record SignalPage(List<SignalDto> Signals, long Total, int Limit, int Offset);

public sealed record PresetDto(string Key, string DisplayName, string? Description);

public sealed record PresetList(List<PresetDto> Presets, int CooldownMinutes);

/// <summary><see cref="Side"/>: long, short or any, for liquidations_above only.</summary>
public sealed record AlertConditionDto(string Type, double? Value, string? Window, string? Direction, string? Side = null);

public sealed record AlertDto(
    long Id, string Symbol, List<AlertConditionDto> Conditions, bool Recurring, int CooldownMinutes, string? Note, bool Enabled,
    DateTimeOffset CreatedAt, DateTimeOffset? LastTriggeredAt, int TriggerCount);

public sealed record AlertList(List<AlertDto> Alerts);

public sealed record DeliveryDto(long Id, string Target, string Kind, string Status, int Attempts, int? LastStatusCode, string? LastError, DateTimeOffset? DeliveredAt);

public sealed record AlertTriggerDto(long Id, long AlertId, string Symbol, long OpenTime, DateTimeOffset Time, double Price, List<DeliveryDto>? Deliveries);

public sealed record AlertHistory(long AlertId, List<AlertTriggerDto> Triggers);

public sealed record CreateAlertRequest(
    [property: JsonPropertyName("symbol")] string Symbol,
    [property: JsonPropertyName("conditions")] IReadOnlyList<AlertConditionDto> Conditions,
    [property: JsonPropertyName("recurring")] bool Recurring,
    [property: JsonPropertyName("cooldownMinutes")] int CooldownMinutes,
    [property: JsonPropertyName("note")] string Note);

/// <summary><see cref="Confirmed"/>: for an e-mail channel, whether its owner opened the confirmation link (null for other kinds).</summary>
public sealed record WebhookDto(long Id, string Kind, string Url, bool HasSecret, string? ChatId, string? Name, bool Enabled, bool? Confirmed = null);

public sealed record NotificationSwitches(bool PresetSignals, bool UserAlerts);

public sealed record SettingsDto(List<string> PresetSubscriptions, List<string> SymbolFilter, List<WebhookDto> Webhooks,
    NotificationSwitches? Notifications, int MaxNotificationsPerHour);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record WebhookRequest(long? Id, string? Kind, string? Url, string? Secret, string? ChatId, string? Name, bool? Enabled);

public sealed record SettingsUpdate(
    List<string>? PresetSubscriptions = null, List<string>? SymbolFilter = null, List<WebhookRequest>? Webhooks = null,
    NotificationSwitches? Notifications = null, int? MaxNotificationsPerHour = null);

public sealed record WebhookTestResult(bool Ok, int? StatusCode, string? Error, long DurationMs);

/// <summary>A device that receives push notifications (its keys stay with the Alerts service).</summary>
public sealed record PushSubscriptionDto(long Id, string Endpoint, string Name, DateTimeOffset CreatedAt);

public sealed record PushSubscriptionList(List<PushSubscriptionDto> Subscriptions);

public sealed record NotificationDto(long Id, string Target, string Kind, string MessageKind, string Status, int Attempts,
    int? LastStatusCode, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt);

public sealed record NotificationList(List<NotificationDto> Notifications);

public sealed record WatchlistItem(string Symbol, double? AddedPrice, DateTimeOffset AddedAt, double? CurrentPrice);

public sealed record Watchlist(List<WatchlistItem> Items);

public sealed record PortfolioItem(string Symbol, double? AddedPrice, DateTimeOffset AddedAt, double? CurrentPrice, double? ChangePercent);

public sealed record Portfolio(List<PortfolioItem> Items, int Count, double? AverageChangePercent, PortfolioItem? Best, PortfolioItem? Worst);

public sealed record ProviderEntry(Guid Id, string Name, string Preset, string? BaseUrl, string? Model, bool HasKey, string? KeyHint,
    decimal? MonthlyBudget, decimal InputPricePer1M, decimal OutputPricePer1M);

public sealed record ProviderEntryRequest(string? Name, string? Preset, string? BaseUrl, string? Model, string? ApiKey, decimal? MonthlyBudget);

public sealed record ProviderTestResult(bool Ok, string? Error, List<string>? Models);

public sealed record ConversationSummary(Guid Id, string Title, string? Provider, DateTime UpdatedAt, int MessageCount);

public sealed record UsageDay(string Provider, DateOnly Day, int Requests, long PromptTokens, long CompletionTokens, decimal Cost);

public sealed record BudgetStatus(string Provider, decimal Budget, decimal Spent, decimal Percent, bool Warning, bool Exceeded);

public sealed record UsageResponse(string Month, List<UsageDay> Days, decimal MonthCost, List<BudgetStatus> Budgets);

// Backtests (BACKTEST.md, docs/backtests.md): times Unix ms, returns fractions, the summary's percentages in percent.
public sealed record BacktestCreated(Guid Id, string Status);

public sealed record BacktestExits(int Target, int Stop, int Time, int End);

public sealed record BacktestSummary(int Trades, int Wins, int Losses, double? WinRate, double? ProfitFactor, double TotalReturnPct,
    double MaxDrawdownPct, double? Sharpe, double? AvgR, double? AvgHoldMinutes, BacktestExits Exits, int SkippedSignals);

/// <summary>The inputs as the API echoes them, defaults filled in; <see cref="Symbols"/> is "all" or a list.</summary>
public sealed record BacktestInputsDto(string Rule, JsonElement Symbols, long? From, long? To, double TakeProfitPct, double StopLossPct,
    int MaxHoldMinutes, double FeePct, int CooldownMinutes)
{
    public IReadOnlyList<string>? SymbolList => Symbols.ValueKind == JsonValueKind.Array ? Symbols.EnumerateArray().Select(s => s.GetString() ?? "").ToList() : null;
}

/// <summary>A backtest; <see cref="Equity"/> ([exit time, cumulative return %] per trade) only from GET /api/backtests/{id}.</summary>
public sealed record BacktestDto(Guid Id, string Status, double Progress, long CandlesProcessed, BacktestInputsDto Inputs, BacktestSummary? Summary,
    List<double[]>? Equity, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt)
{
    public bool IsActive => Status is "queued" or "running";
}

public sealed record BacktestList(List<BacktestDto> Backtests);

public sealed record BacktestTrade(string Symbol, string Rule, string Side, long EntryTime, double EntryPrice, long ExitTime, double ExitPrice,
    string Reason, double Return, double RMultiple);

public sealed record BacktestTradePage(List<BacktestTrade> Trades, long Total, int Limit, int Offset);

/// <summary>An RFC 7807 problem (validation problems carry <see cref="Errors"/> keyed by field path).</summary>
public sealed record ProblemDetailsDto(string? Title, string? Detail, int? Status, Dictionary<string, string[]>? Errors);
