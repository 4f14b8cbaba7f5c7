using System.Text.Json;
using Hangfire;
using Microsoft.Extensions.Options;
using Scalpaiboard.Market.Backtests;

namespace Scalpaiboard.Alerts.Backtests;

/// <summary>
/// Runs one backtest as a Hangfire background job (enqueued by <c>POST /api/backtests</c>): the user's inputs over
/// the candles Ingest stored, progress written every <see cref="BacktestOptions.ProgressIntervalMilliseconds"/>, the
/// results stored at the end. Cancellation is cooperative: <c>DELETE /api/backtests/{id}</c> deletes the row (and
/// the Hangfire job, which signals Hangfire's cancellation token); the progress writer sees the row gone and stops
/// the runner within a few thousand candles. No automatic retry: a failure is stored as the backtest's error.
/// </summary>
[AutomaticRetry(Attempts = 0)]
public sealed partial class BacktestJob(
    BacktestStore store, IngestCandleSource candles, IOptions<BacktestOptions> options, ILogger<BacktestJob> logger)
{
    public async Task RunAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await store.StartAsync(id, cancellationToken) is not { } json)
        {
            return; // deleted before it started
        }
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var inputs = json.Deserialize<StoredInputs>(Infrastructure.Json.Options)!.ToInputs();
            var symbols = inputs.Symbols ?? await candles.SymbolsAsync(cancel.Token);
            var series = await candles.SeriesAsync(symbols, inputs.To, cancel.Token);
            var workers = options.Value.Parallelism ?? Environment.ProcessorCount;
            // The runner's workers on threads of their own at a lower priority, so the live paths keep their cores.
            using var threads = new LowPriorityThreads(workers, options.Value.Niceness, "backtest");
            var runner = new BacktestRunner(inputs.ToParameters())
            {
                MaxDegreeOfParallelism = workers,
                ProgressInterval = TimeSpan.FromMilliseconds(50),
                Scheduler = threads,
            };
            object latest = default(BacktestProgress); // boxed: read and written whole
            // Run is synchronous and its calling thread one of its workers: one of those threads.
            var run = Task.Factory.StartNew(() => runner.Run(series, p => Volatile.Write(ref latest, (object)p), cancel.Token),
                cancel.Token, TaskCreationOptions.None, threads);
            var interval = TimeSpan.FromMilliseconds(options.Value.ProgressIntervalMilliseconds);
            while (await Task.WhenAny(run, Task.Delay(interval, cancel.Token)) != run)
            {
                var p = (BacktestProgress)Volatile.Read(ref latest);
                if (!await store.ReportProgressAsync(id, p.Fraction, p.Candles, cancel.Token))
                {
                    LogCancelled(id);
                    await cancel.CancelAsync();
                    break;
                }
            }
            var result = await run;
            if (await store.CompleteAsync(id, result, CancellationToken.None))
            {
                LogCompleted(id, result.Symbols, result.Candles, result.Trades.Count);
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // cancelled (the row is gone) or the server is stopping: Hangfire runs the job again on the next start
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(e, id);
            await store.FailAsync(id, e is ArgumentException or InvalidDataException ? e.Message : $"the backtest failed: {e.Message}", CancellationToken.None);
        }
    }

    /// <summary>The inputs as stored (<see cref="BacktestInputs.ToJson"/>).</summary>
    private sealed record StoredInputs(string Rule, JsonElement Symbols, long? From, long? To, double TakeProfitPct, double StopLossPct,
        int MaxHoldMinutes, double FeePct, int CooldownMinutes)
    {
        public BacktestInputs ToInputs() => new(Rule,
            Symbols.ValueKind == JsonValueKind.Array ? Symbols.EnumerateArray().Select(s => s.GetString()!).ToList() : null,
            From, To, TakeProfitPct, StopLossPct, MaxHoldMinutes, FeePct, CooldownMinutes);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Backtest {Id} completed: {Symbols} symbols, {Candles} candles, {Trades} trades")]
    private partial void LogCompleted(Guid id, int symbols, long candles, int trades);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backtest {Id} cancelled")]
    private partial void LogCancelled(Guid id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backtest {Id} failed")]
    private partial void LogFailed(Exception e, Guid id);
}

/// <summary>Deletes backtests finished more than <see cref="BacktestOptions.RetentionDays"/> ago (recurring, id <see cref="Id"/>).</summary>
[DisableConcurrentExecution(timeoutInSeconds: 600)]
[AutomaticRetry(Attempts = 0)]
public sealed partial class BacktestCleanupJob(BacktestStore store, IOptions<BacktestOptions> options, TimeProvider time, ILogger<BacktestCleanupJob> logger)
{
    public const string Id = "backtest-cleanup";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var deleted = await store.DeleteFinishedBeforeAsync(time.GetUtcNow() - TimeSpan.FromDays(options.Value.RetentionDays), cancellationToken);
        if (deleted > 0)
        {
            LogDeleted(deleted);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Backtest cleanup: deleted {Count} backtests")]
    private partial void LogDeleted(int count);
}
