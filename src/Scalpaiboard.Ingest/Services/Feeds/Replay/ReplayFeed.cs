using Microsoft.Extensions.Options;
using Scalpaiboard.Ingest.Infrastructure;
using Scalpaiboard.Ingest.Model;
using Scalpaiboard.Market;

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
        var bySymbol = DiscoverFiles(replay.Path!);
        long totalBytes = bySymbol.Values.SelectMany(f => f).Sum(f => new FileInfo(f).Length), readBytes = 0;
        var status = sink.Status;
        status.RealTime = false;
        sink.SetSymbols(bySymbol.Keys.ToArray());
        LogStarting(logger, bySymbol.Count, bySymbol.Values.Sum(f => f.Count), replay.Path!, replay.Speed);

        var readers = new List<IEnumerator<Candle>>();
        var queue = new PriorityQueue<(IEnumerator<Candle> Rows, string Symbol), (long, string)>();
        foreach (var (symbol, files) in bySymbol)
        {
            var reader = new KlineCsvReader(symbol, files, row =>
            {
                status.AddMalformedRow();
                LogMalformed(logger, row.File, row.Line, row.Reason);
            }, n => readBytes += n);
            var rows = reader.Read().GetEnumerator();
            readers.Add(rows);
            if (rows.MoveNext())
            {
                queue.Enqueue((rows, symbol), (rows.Current.OpenTime, symbol));
            }
        }
        try
        {
            long? firstTime = null;
            var startTicks = time.GetTimestamp();
            var batch = new List<SymbolCandle>();
            long skipped = 0;
            while (queue.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var openTime = queue.Peek().Rows.Current.OpenTime;
                batch.Clear();
                while (queue.Count > 0 && queue.Peek().Rows.Current.OpenTime == openTime)
                {
                    var (rows, symbol) = queue.Dequeue();
                    var candle = rows.Current;
                    if (lastStored.TryGetValue(symbol, out var stored) && candle.OpenTime <= stored)
                    {
                        skipped++;
                    }
                    else
                    {
                        batch.Add(new SymbolCandle(symbol, candle));
                    }
                    if (rows.MoveNext())
                    {
                        queue.Enqueue((rows, symbol), (rows.Current.OpenTime, symbol));
                    }
                }
                status.Progress = totalBytes == 0 ? 1 : Math.Min(1, (double)readBytes / totalBytes);
                if (batch.Count == 0)
                {
                    continue;
                }
                if (skipped > 0)
                {
                    // Rows stored by an earlier run count as ingested: the total matches the files.
                    status.AddIngested(skipped, openTime - Candle.MinuteMs);
                    skipped = 0;
                }
                status.State = FeedStates.Running;
                if (speed is { } s)
                {
                    firstTime ??= openTime;
                    var due = TimeSpan.FromMilliseconds((openTime - firstTime.Value) / s);
                    var wait = due - time.GetElapsedTime(startTicks);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, time, cancellationToken);
                    }
                }
                await sink.OnClosedAsync(openTime, batch.ToArray(), cancellationToken);
            }
            if (skipped > 0)
            {
                status.AddIngested(skipped, long.MinValue);
            }
            await sink.FlushAsync(cancellationToken);
            status.Progress = 1;
            status.State = FeedStates.Completed;
            LogCompleted(logger, status.CandlesIngested, status.MalformedRows);
        }
        finally
        {
            foreach (var r in readers)
            {
                r.Dispose();
            }
        }
    }

    /// <summary>CSV files by symbol (the file name up to the first '-'), each symbol's files in name (date) order.</summary>
    public static SortedDictionary<string, List<string>> DiscoverFiles(string path)
    {
        IEnumerable<string> files = File.Exists(path)
            ? [path]
            : Directory.EnumerateFiles(path, "*.csv", SearchOption.AllDirectories);
        var result = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var name = Path.GetFileNameWithoutExtension(file);
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            var symbol = (dash > 0 ? name[..dash] : name).ToUpperInvariant();
            if (!result.TryGetValue(symbol, out var list))
            {
                result[symbol] = list = [];
            }
            list.Add(file);
        }
        foreach (var list in result.Values)
        {
            list.Sort(StringComparer.Ordinal);
        }
        return result;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Replaying {Symbols} symbols from {Files} files in {Path} at speed {Speed}")]
    private static partial void LogStarting(ILogger logger, int symbols, int files, string path, string speed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Malformed kline row skipped: {File}:{Line}: {Reason}")]
    private static partial void LogMalformed(ILogger logger, string file, int line, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replay completed: {Candles} candles ingested, {Malformed} malformed rows skipped")]
    private static partial void LogCompleted(ILogger logger, long candles, long malformed);
}
