using System.Security.Claims;
using System.Text.Json;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Scalpaiboard.Alerts.Backtests;
using Scalpaiboard.Infrastructure.Identity;

namespace Scalpaiboard.Alerts.Apis;

/// <summary>
/// Backtests (BACKTEST.md): started as Hangfire background jobs, one queued or running per user, each user's own
/// only (another user's id is 404), kept <see cref="BacktestOptions.RetentionDays"/> days, at most
/// <see cref="BacktestOptions.MaxStoredPerUser"/> per user.
/// </summary>
public static class BacktestsApi
{
    public const int DefaultTradesLimit = 100;
    public const int MaxTradesLimit = 1000;

    public static IEndpointRouteBuilder MapBacktestsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/backtests").WithTags("Backtests").RequireAuthorization()
            .WithMetadata(new RequestSizeLimitAttribute(AlertsApi.MaxBodyBytes));
        api.MapPost("/", Start).WithName("StartBacktest").WithSummary("Starts a backtest as a background job: 202 with its id.");
        api.MapGet("/", List).WithName("ListBacktests").WithSummary("The user's backtests, newest first (without equity curves).");
        api.MapGet("/{id:guid}", Get).WithName("GetBacktest").WithSummary("A backtest: status, progress, inputs, statistics, equity curve, error.");
        api.MapDelete("/{id:guid}", Delete).WithName("DeleteBacktest").WithSummary("Cancels a queued or running backtest, or deletes a finished one.");
        api.MapGet("/{id:guid}/trades", Trades).WithName("GetBacktestTrades").WithSummary("A page of the backtest's trades, ordered by exit time then symbol.");
        return app;
    }

    public static async Task<Results<Accepted<BacktestCreated>, ValidationProblem, ProblemHttpResult>> Start(
        [FromBody] JsonElement? body, ClaimsPrincipal user, BacktestStore store, IngestCandleSource candles,
        IBackgroundJobClient jobs, IOptions<BacktestOptions> options, CancellationToken cancellationToken)
    {
        var inputs = BacktestInputs.Parse(body, out var errors);
        if (inputs is null)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (inputs.Symbols is { } listed && await candles.MissingAsync(listed, cancellationToken) is { Count: > 0 } missing)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["symbols"] = [$"no stored candles for {string.Join(", ", missing)}"],
            });
        }
        var userId = user.UserId();
        var id = Guid.CreateVersion7();
        if (!await store.CreateAsync(id, userId, Infrastructure.Json.Serialize(inputs.ToJson()), cancellationToken))
        {
            var active = await store.ActiveAsync(userId, cancellationToken);
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "A backtest is already running",
                detail: $"Backtest {active} is still queued or running; wait for it or cancel it (DELETE /api/backtests/{active}). One runs per user at a time.");
        }
        string jobId;
        try
        {
            jobId = jobs.Enqueue<BacktestJob>(job => job.RunAsync(id, CancellationToken.None));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not queued: the row must not stay "queued" without a job (it would refuse every later start with a 409).
            await store.FailAsync(id, "could not be queued: " + e.Message, CancellationToken.None);
            throw;
        }
        await store.SetJobIdAsync(id, jobId, cancellationToken);
        await store.PruneAsync(userId, options.Value.MaxStoredPerUser, cancellationToken);
        return TypedResults.Accepted($"/api/backtests/{id}", new BacktestCreated(id, BacktestStore.Statuses.Queued));
    }

    public static async Task<Ok<BacktestList>> List(ClaimsPrincipal user, BacktestStore store, CancellationToken cancellationToken)
    {
        var rows = await store.ListAsync(user.UserId(), cancellationToken);
        return TypedResults.Ok(new BacktestList(rows.Select(r => BacktestDto.From(r, includeEquity: false)).ToList()));
    }

    public static async Task<Results<Ok<BacktestDto>, NotFound>> Get(Guid id, ClaimsPrincipal user, BacktestStore store, CancellationToken cancellationToken) =>
        await store.GetAsync(user.UserId(), id, cancellationToken) is { } row ? TypedResults.Ok(BacktestDto.From(row, includeEquity: true)) : TypedResults.NotFound();

    public static async Task<Results<NoContent, NotFound>> Delete(Guid id, ClaimsPrincipal user, BacktestStore store, IBackgroundJobClient jobs,
        CancellationToken cancellationToken)
    {
        if (await store.DeleteAsync(user.UserId(), id, cancellationToken) is not { } row)
        {
            return TypedResults.NotFound();
        }
        if (row.JobId is { } jobId && row.Status is BacktestStore.Statuses.Queued or BacktestStore.Statuses.Running)
        {
            // A queued job is not run; a running one sees the row gone at its next progress write (and Hangfire's token fires).
            jobs.Delete(jobId);
        }
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<TradePage>, NotFound, ValidationProblem>> Trades(Guid id, ClaimsPrincipal user, BacktestStore store,
        string? limit, string? offset, CancellationToken cancellationToken)
    {
        // parsed here, as SignalsApi does, so a bad value is a validation problem naming its parameter
        var errors = new Dictionary<string, string[]>();
        var n = DefaultTradesLimit;
        var skip = 0;
        if (limit is not null && (!int.TryParse(limit, out n) || n < 1 || n > MaxTradesLimit))
        {
            errors["limit"] = [$"must be a whole number from 1 to {MaxTradesLimit}"];
        }
        if (offset is not null && (!int.TryParse(offset, out skip) || skip < 0))
        {
            errors["offset"] = ["must be a whole number of 0 or more"];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (await store.TradesAsync(user.UserId(), id, n, skip, cancellationToken) is not { } page)
        {
            return TypedResults.NotFound();
        }
        return TypedResults.Ok(new TradePage(page.Trades, page.Total, n, skip));
    }
}

public sealed record BacktestCreated(Guid Id, string Status);

public sealed record BacktestList(IReadOnlyList<BacktestDto> Backtests);

public sealed record TradePage(IReadOnlyList<TradeDto> Trades, long Total, int Limit, int Offset);

/// <summary>A backtest on the wire: <c>progress</c> 0..1, <c>equity</c> as [time, cumulativeReturnPct] pairs.</summary>
public sealed record BacktestDto(
    Guid Id,
    string Status,
    double Progress,
    long CandlesProcessed,
    JsonElement Inputs,
    JsonElement? Summary,
    JsonElement? Equity,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt)
{
    public static BacktestDto From(BacktestRow r, bool includeEquity) => new(r.Id, r.Status, r.Progress, r.CandlesProcessed, r.Inputs,
        r.Summary, includeEquity ? r.Equity : null, r.Error, r.CreatedAt, r.StartedAt, r.FinishedAt);
}
