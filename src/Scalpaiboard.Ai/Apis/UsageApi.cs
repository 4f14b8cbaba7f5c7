using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Scalpaiboard.Ai.Infrastructure;
using Scalpaiboard.Ai.Model;
using Scalpaiboard.Ai.Services;
using Scalpaiboard.Infrastructure.Identity;

namespace Scalpaiboard.Ai.Apis;

public static class UsageApi
{
    public static IEndpointRouteBuilder MapUsageApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/ai").RequireAuthorization().WithTags("Assistant usage")
            .MapGet("/usage", GetUsageAsync)
            .WithSummary("Tokens and cost per provider and day for a month (default: this month), month totals and budgets.");
        return app;
    }

    private static async Task<Results<Ok<UsageResponse>, ValidationProblem>> GetUsageAsync(string? month, HttpContext context,
        UsageStore usage, ProviderStore providers, IOptions<AiOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var start = new DateOnly(today.Year, today.Month, 1);
        if (!string.IsNullOrWhiteSpace(month))
        {
            if (!DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out start))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["month"] = ["A month as yyyy-MM, e.g. 2026-11."] });
            }
        }
        var end = start.AddMonths(1);
        var userId = context.User.UserId();
        var days = (await usage.DaysAsync(userId, start, cancellationToken)).Where(d => d.Day < end).ToList();
        var totals = days.GroupBy(d => d.Provider)
            .Select(g => new UsageMonthTotal(g.Key, g.Sum(d => d.Requests), g.Sum(d => d.PromptTokens), g.Sum(d => d.CompletionTokens), g.Sum(d => d.Cost)))
            .OrderByDescending(t => t.Cost).ToList();

        var budgets = new Dictionary<string, decimal>(options.Value.Budgets, StringComparer.OrdinalIgnoreCase);
        foreach (var entry in await providers.ListAsync(userId, cancellationToken))
        {
            if (entry.MonthlyBudget is { } b)
            {
                budgets[entry.Id.ToString()] = b;
            }
        }
        var statuses = budgets.Select(b =>
        {
            var spent = totals.FirstOrDefault(t => string.Equals(t.Provider, b.Key, StringComparison.OrdinalIgnoreCase))?.Cost ?? 0;
            var percent = b.Value > 0 ? Math.Round(spent / b.Value * 100, 2) : spent > 0 ? 100 : 0;
            return new BudgetStatus(b.Key, b.Value, spent, percent, spent >= b.Value * (decimal)ChatService.WarningRatio, spent >= b.Value);
        }).ToList();
        return TypedResults.Ok(new UsageResponse(start.ToString("yyyy-MM", CultureInfo.InvariantCulture), days, totals,
            totals.Sum(t => t.Cost), statuses));
    }
}
