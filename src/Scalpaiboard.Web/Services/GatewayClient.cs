using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Scalpaiboard.Web.Model;

namespace Scalpaiboard.Web.Services;

/// <summary>
/// The Web server's typed client of the Gateway (base address <c>http://gateway</c>, resolved by ServiceDefaults).
/// Per-user calls carry the user's bearer token so the Gateway authorises and rate-limits per end user; anonymous
/// calls get a signed client address from <see cref="ClientAddressHandler"/>. Every failure becomes a
/// <see cref="GatewayResult{T}"/>, never an exception, so pages can show a message box.
/// </summary>
public sealed partial class GatewayClient(HttpClient http, ILogger<GatewayClient> logger)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // Market (anonymous allowed)
    public Task<GatewayResult<CoinsPage>> GetCoinsAsync(IReadOnlyDictionary<string, string?> query, CancellationToken cancellationToken) =>
        SendAsync<CoinsPage>(HttpMethod.Get, "/api/coins" + QueryString(query), null, null, cancellationToken);

    public Task<GatewayResult<JsonElement>> GetMetricsAsync(string symbol, CancellationToken cancellationToken) =>
        SendAsync<JsonElement>(HttpMethod.Get, $"/api/metrics/{Uri.EscapeDataString(symbol)}", null, null, cancellationToken);

    public Task<GatewayResult<JsonElement>> GetCoinAsync(string symbol, CancellationToken cancellationToken) =>
        SendAsync<JsonElement>(HttpMethod.Get, $"/api/coins/{Uri.EscapeDataString(symbol)}", null, null, cancellationToken);

    public Task<GatewayResult<SignalPage>> GetSignalsAsync(IReadOnlyDictionary<string, string?> query, CancellationToken cancellationToken) =>
        SendAsync<SignalPage>(HttpMethod.Get, "/api/signals" + QueryString(query), null, null, cancellationToken);

    public Task<GatewayResult<PresetList>> GetPresetsAsync(CancellationToken cancellationToken) =>
        SendAsync<PresetList>(HttpMethod.Get, "/api/presets", null, null, cancellationToken);

    // Accounts
    public Task<GatewayResult<TokenResponse>> LoginAsync(string email, string password, CancellationToken cancellationToken) =>
        SendAsync<TokenResponse>(HttpMethod.Post, "/api/auth/login", new { email, password }, null, cancellationToken);

    public Task<GatewayResult<JsonElement>> RegisterAsync(string email, string password, CancellationToken cancellationToken) =>
        SendAsync<JsonElement>(HttpMethod.Post, "/api/auth/register", new { email, password }, null, cancellationToken);

    public Task<GatewayResult<TokenResponse>> RefreshAsync(string refreshToken, CancellationToken cancellationToken) =>
        SendAsync<TokenResponse>(HttpMethod.Post, "/api/auth/refresh", new { refreshToken }, null, cancellationToken);

    /// <summary>Revokes the session's tokens at the Gateway (every session of the account).</summary>
    public Task<GatewayResult<JsonElement>> LogoutAsync(string refreshToken, CancellationToken cancellationToken) =>
        SendAsync<JsonElement>(HttpMethod.Post, "/api/auth/logout", new { refreshToken }, null, cancellationToken);

    // Alerts
    public Task<GatewayResult<AlertList>> GetAlertsAsync(string token, CancellationToken cancellationToken) =>
        SendAsync<AlertList>(HttpMethod.Get, "/api/alerts", null, token, cancellationToken);

    public Task<GatewayResult<AlertDto>> CreateAlertAsync(CreateAlertRequest alert, string token, CancellationToken cancellationToken) =>
        SendAsync<AlertDto>(HttpMethod.Post, "/api/alerts", alert, token, cancellationToken);

    public Task<GatewayResult<JsonElement>> UpdateAlertAsync(long id, object body, string token, CancellationToken cancellationToken) =>
        SendAsync<JsonElement>(HttpMethod.Put, $"/api/alerts/{id}", body, token, cancellationToken);

    public Task<GatewayResult<JsonElement>> DeleteAlertAsync(long id, string token, CancellationToken cancellationToken) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"/api/alerts/{id}", null, token, cancellationToken);

    public Task<GatewayResult<AlertHistory>> GetAlertHistoryAsync(long id, string token, CancellationToken cancellationToken) =>
        SendAsync<AlertHistory>(HttpMethod.Get, $"/api/alerts/{id}/history", null, token, cancellationToken);

    public Task<GatewayResult<NotificationList>> GetNotificationsAsync(string? status, string token, CancellationToken cancellationToken) =>
        SendAsync<NotificationList>(HttpMethod.Get, "/api/notifications" + QueryString(new Dictionary<string, string?> { ["status"] = status, ["limit"] = "200" }),
            null, token, cancellationToken);

    // Settings
    public Task<GatewayResult<SettingsDto>> GetSettingsAsync(string token, CancellationToken cancellationToken) =>
        SendAsync<SettingsDto>(HttpMethod.Get, "/api/settings", null, token, cancellationToken);

    public Task<GatewayResult<SettingsDto>> PutSettingsAsync(SettingsUpdate update, string token, CancellationToken cancellationToken) =>
        SendAsync<SettingsDto>(HttpMethod.Put, "/api/settings", update, token, cancellationToken);

    public Task<GatewayResult<WebhookTestResult>> TestWebhookAsync(long webhookId, string token, CancellationToken cancellationToken) =>
        SendAsync<WebhookTestResult>(HttpMethod.Post, "/api/settings/webhooks/test", new { webhookId }, token, cancellationToken);

    // Browser push: the browser subscribes itself (wwwroot/js/push.js); the page lists and removes devices.
    public Task<GatewayResult<PushSubscriptionList>> GetPushSubscriptionsAsync(string token, CancellationToken cancellationToken) =>
        SendAsync<PushSubscriptionList>(HttpMethod.Get, "/api/settings/push-subscriptions", null, token, cancellationToken);

    public Task<GatewayResult<JsonElement>> DeletePushSubscriptionAsync(long id, string token, CancellationToken cancellationToken) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"/api/settings/push-subscriptions/{id}", null, token, cancellationToken);

    // Watchlist
    public Task<GatewayResult<Watchlist>> GetWatchlistAsync(string token, CancellationToken cancellationToken) =>
        SendAsync<Watchlist>(HttpMethod.Get, "/api/watchlist", null, token, cancellationToken);

    public Task<GatewayResult<JsonElement>> AddToWatchlistAsync(string symbol, string token, CancellationToken cancellationToken) =>
        SendAsync<JsonElement>(HttpMethod.Post, "/api/watchlist", new { symbol }, token, cancellationToken);

    public Task<GatewayResult<JsonElement>> RemoveFromWatchlistAsync(string symbol, string token, CancellationToken cancellationToken) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"/api/watchlist/{Uri.EscapeDataString(symbol)}", null, token, cancellationToken);

    public Task<GatewayResult<Portfolio>> GetPortfolioAsync(string token, CancellationToken cancellationToken) =>
        SendAsync<Portfolio>(HttpMethod.Get, "/api/portfolio", null, token, cancellationToken);

    // Backtests
    public Task<GatewayResult<BacktestCreated>> StartBacktestAsync(IReadOnlyDictionary<string, object?> inputs, string token, CancellationToken cancellationToken) =>
        SendAsync<BacktestCreated>(HttpMethod.Post, "/api/backtests", inputs, token, cancellationToken);

    public Task<GatewayResult<BacktestList>> GetBacktestsAsync(string token, CancellationToken cancellationToken) =>
        SendAsync<BacktestList>(HttpMethod.Get, "/api/backtests", null, token, cancellationToken);

    public Task<GatewayResult<BacktestDto>> GetBacktestAsync(Guid id, string token, CancellationToken cancellationToken) =>
        SendAsync<BacktestDto>(HttpMethod.Get, $"/api/backtests/{id}", null, token, cancellationToken);

    public Task<GatewayResult<BacktestTradePage>> GetBacktestTradesAsync(Guid id, int limit, int offset, string token, CancellationToken cancellationToken) =>
        SendAsync<BacktestTradePage>(HttpMethod.Get, $"/api/backtests/{id}/trades" + QueryString(new Dictionary<string, string?>
        {
            ["limit"] = limit.ToString(CultureInfo.InvariantCulture), ["offset"] = offset.ToString(CultureInfo.InvariantCulture),
        }), null, token, cancellationToken);

    /// <summary>Cancels a queued or running backtest, or deletes a finished one.</summary>
    public Task<GatewayResult<JsonElement>> DeleteBacktestAsync(Guid id, string token, CancellationToken cancellationToken) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"/api/backtests/{id}", null, token, cancellationToken);

    // Assistant
    public Task<GatewayResult<List<ProviderEntry>>> GetProvidersAsync(string token, CancellationToken cancellationToken) =>
        SendAsync<List<ProviderEntry>>(HttpMethod.Get, "/api/ai/providers", null, token, cancellationToken);

    public Task<GatewayResult<ProviderEntry>> CreateProviderAsync(ProviderEntryRequest request, string token, CancellationToken cancellationToken) =>
        SendAsync<ProviderEntry>(HttpMethod.Post, "/api/ai/providers", request, token, cancellationToken);

    public Task<GatewayResult<ProviderEntry>> UpdateProviderAsync(Guid id, ProviderEntryRequest request, string token, CancellationToken cancellationToken) =>
        SendAsync<ProviderEntry>(HttpMethod.Put, $"/api/ai/providers/{id}", request, token, cancellationToken);

    public Task<GatewayResult<JsonElement>> DeleteProviderAsync(Guid id, string token, CancellationToken cancellationToken) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"/api/ai/providers/{id}", null, token, cancellationToken);

    public Task<GatewayResult<ProviderTestResult>> TestProviderAsync(Guid id, string token, CancellationToken cancellationToken) =>
        SendAsync<ProviderTestResult>(HttpMethod.Post, $"/api/ai/providers/{id}/test", new { }, token, cancellationToken);

    public Task<GatewayResult<UsageResponse>> GetUsageAsync(string token, CancellationToken cancellationToken) =>
        SendAsync<UsageResponse>(HttpMethod.Get, "/api/ai/usage", null, token, cancellationToken);

    public Task<GatewayResult<List<ConversationSummary>>> GetConversationsAsync(string token, CancellationToken cancellationToken) =>
        SendAsync<List<ConversationSummary>>(HttpMethod.Get, "/api/ai/conversations", null, token, cancellationToken);

    private async Task<GatewayResult<T>> SendAsync<T>(HttpMethod method, string path, object? body, string? token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        }
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                if (response.StatusCode == HttpStatusCode.NoContent || response.Content.Headers.ContentLength == 0)
                {
                    return new GatewayResult<T>(GatewayOutcome.Ok, typeof(T) == typeof(JsonElement) ? (T)(object)default(JsonElement) : default, null, status);
                }
                var value = await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken);
                return new GatewayResult<T>(GatewayOutcome.Ok, value, null, status);
            }
            var problem = await ReadProblemAsync(response, cancellationToken);
            if (response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout or HttpStatusCode.ServiceUnavailable)
            {
                LogServiceDown(logger, method.Method, path, status);
                return new GatewayResult<T>(GatewayOutcome.Unavailable, default, problem, status);
            }
            var outcome = response.StatusCode == HttpStatusCode.Unauthorized && token is not null ? GatewayOutcome.Unauthorized : GatewayOutcome.Problem;
            return new GatewayResult<T>(outcome, default, problem, status);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or BrokenCircuitException or JsonException
            || ex is TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogUnreachable(logger, method.Method, path, ex.Message);
            return GatewayResult<T>.Down();
        }
    }

    private static async Task<ProblemDetailsDto?> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return text.Length > 0 && text.TrimStart().StartsWith('{') ? JsonSerializer.Deserialize<ProblemDetailsDto>(text, Json) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string QueryString(IReadOnlyDictionary<string, string?> query)
    {
        var parts = query.Where(kv => !string.IsNullOrWhiteSpace(kv.Value))
            .Select(kv => Uri.EscapeDataString(kv.Key) + "=" + Uri.EscapeDataString(kv.Value!.Trim()))
            .ToList();
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    public static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway not reachable for {Method} {Path}: {Error}")]
    private static partial void LogUnreachable(ILogger logger, string method, string path, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway answered {Status} for {Method} {Path} (service down)")]
    private static partial void LogServiceDown(ILogger logger, string method, string path, int status);
}
