namespace Scalpaiboard.Ai.Model;

public sealed record UsageDay(string Provider, DateOnly Day, int Requests, int FailedRequests, long PromptTokens,
    long CompletionTokens, decimal Cost);

public sealed record UsageMonthTotal(string Provider, int Requests, long PromptTokens, long CompletionTokens, decimal Cost);

/// <summary>A provider's monthly budget: <see cref="Warning"/> from 80%, <see cref="Exceeded"/> (requests refused) at 100%.</summary>
public sealed record BudgetStatus(string Provider, decimal Budget, decimal Spent, decimal Percent, bool Warning, bool Exceeded);

public sealed record UsageResponse(string Month, IReadOnlyList<UsageDay> Days, IReadOnlyList<UsageMonthTotal> MonthTotals,
    decimal MonthCost, IReadOnlyList<BudgetStatus> Budgets);
