using Microsoft.Extensions.Options;
using Scalpaiboard.Ingest.Model;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Data;

namespace Scalpaiboard.Ingest.Services.Feeds.Replay;

/// <summary>
/// Replays Binance public-data 1m kline CSVs: every symbol's files in date order, merged across symbols by open
/// time, one batch per open time, each candle delivered as closed; at <c>max</c> speed or paced so that the wait
/// between two open times is their gap divided by the speed. Resumes after the newest stored candle per symbol.
/// </summary>
public sealed partial class ReplayFeed(IOptions<IngestOptions> options, TimeProvider time, ILogger<ReplayFeed> logger) : IMarketFeed
{
    public string Name => FeedKinds.Replay;

    public async Task RunAsync(IFeedSink sink, IReadOnlyDictionary<string, long> lastStored, CancellationToken cancellationToken)
    {
        var replay = options.Value.Replay;
        ReplayOptions.TryParseSpeed(replay.Speed, out var speed);
        var status = sink.Status;
        status.RealTime = false;
        // The market library's reader: each symbol's files in date order, merged by open time across symbols.
        var reader = new KlineCsvReader(replay.Path!, error =>
        {
            status.AddMalformedRow();
            LogMalformed(logger, error.File, error.Line, error.Reason);
        });
        sink.SetSymbols(reader.Files.Select(f => f.Symbol).Distinct().Order(StringComparer.Ordinal).ToArray());
        LogStarting(logger, reader.Files.Select(f => f.Symbol).Distinct().Count(), reader.Files.Count, replay.Path!, replay.Speed);

        long? firstTime = null;
        var startTicks = time.GetTimestamp();
        var batch = new List<SymbolCandle>();
        var batchTime = long.MinValue;
        long skipped = 0;
        async Task DeliverAsync()
        {
            status.Progress = reader.TotalBytes == 0 ? 1 : Math.Min(1, (double)reader.BytesRead / reader.TotalBytes);
            if (batch.Count == 0)
            {
                return;
            }
            if (skipped > 0)
            {
                // Rows stored by an earlier run count as ingested: the total matches the files.
                status.AddIngested(skipped, batchTime - Candle.MinuteMs);
                skipped = 0;
            }
            status.State = FeedStates.Running;
            if (speed is { } s)
            {
                firstTime ??= batchTime;
                var due = TimeSpan.FromMilliseconds((batchTime - firstTime.Value) / s);
                var wait = due - time.GetElapsedTime(startTicks);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, cancellationToken);
                }
            }
            await sink.OnClosedAsync(batchTime, batch.ToArray(), cancellationToken);
            batch.Clear();
        }
        foreach (var row in reader.ReadAll())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (row.Candle.OpenTime != batchTime)
            {
                await DeliverAsync();
                batchTime = row.Candle.OpenTime;
            }
            if (lastStored.TryGetValue(row.Symbol, out var stored) && row.Candle.OpenTime <= stored)
            {
                skipped++;
            }
            else
            {
                batch.Add(row);
            }
        }
        await DeliverAsync();
        if (skipped > 0)
        {
            status.AddIngested(skipped, long.MinValue);
        }
        await sink.FlushAsync(cancellationToken);
        status.Progress = 1;
        status.State = FeedStates.Completed;
        LogCompleted(logger, status.CandlesIngested, status.MalformedRows);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Replaying {Symbols} symbols from {Files} files in {Path} at speed {Speed}")]
    private static partial void LogStarting(ILogger logger, int symbols, int files, string path, string speed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Malformed kline row skipped: {File}:{Line}: {Reason}")]
    private static partial void LogMalformed(ILogger logger, string file, int line, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replay completed: {Candles} candles ingested, {Malformed} malformed rows skipped")]
    private static partial void LogCompleted(ILogger logger, long candles, long malformed);
}
