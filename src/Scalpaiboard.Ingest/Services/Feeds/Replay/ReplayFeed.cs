using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Scalpaiboard.Ingest.Model;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Data;
using Scalpaiboard.Market.Derivatives;

namespace Scalpaiboard.Ingest.Services.Feeds.Replay;

/// <summary>
/// Replays Binance public-data 1m kline CSVs: every symbol's files in date order, merged across symbols by open
/// time, one batch per open time, each candle delivered as closed; at <c>max</c> speed or paced so that the wait
/// between two open times is their gap divided by the speed. Resumes after the newest stored candle per symbol.
/// With <c>Ingest:Replay:DerivativesPath</c>, the derivatives files (<see cref="DerivativesCsvReader"/>) are merged
/// in by time: every sample known by a minute's close is delivered before that minute's candles.
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
        var derivatives = string.IsNullOrEmpty(replay.DerivativesPath) ? null : new DerivativesCsvReader(replay.DerivativesPath, error =>
        {
            status.AddMalformedRow();
            LogMalformedDerivatives(logger, error.File, error.Line, error.Reason);
        });
        if (derivatives is not null)
        {
            LogDerivatives(logger, derivatives.Files.Count, replay.DerivativesPath!);
        }
        LogStarting(logger, reader.Files.Select(f => f.Symbol).Distinct().Count(), reader.Files.Count, replay.Path!, replay.Speed);

        // The CSVs are parsed and grouped ahead on another thread (a few batches' worth, bounded), so the feed
        // loop's core only runs the engine: parsing is about a quarter of the loop's CPU at max speed.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var ahead = Channel.CreateBounded<ReplayBatch>(new BoundedChannelOptions(16)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var producer = Task.Run(() => ParseAsync(reader, derivatives, lastStored, ahead.Writer, stop.Token), stop.Token);
        try
        {
            long? firstTime = null;
            var startTicks = time.GetTimestamp();
            await foreach (var b in ahead.Reader.ReadAllAsync(stop.Token))
            {
                status.Progress = b.Progress;
                if (b.Derivatives.Length > 0)
                {
                    sink.OnDerivatives(b.Derivatives);
                }
                if (b.Candles.Length == 0)
                {
                    if (b.Skipped > 0)
                    {
                        status.AddIngested(b.Skipped, long.MinValue);
                    }
                    continue;
                }
                if (b.Skipped > 0)
                {
                    // Rows stored by an earlier run count as ingested: the total matches the files.
                    status.AddIngested(b.Skipped, b.OpenTime - Candle.MinuteMs);
                }
                status.State = FeedStates.Running;
                if (speed is { } s)
                {
                    firstTime ??= b.OpenTime;
                    var due = TimeSpan.FromMilliseconds((b.OpenTime - firstTime.Value) / s);
                    var wait = due - time.GetElapsedTime(startTicks);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, time, cancellationToken);
                    }
                }
                await sink.OnClosedAsync(b.OpenTime, b.Candles, cancellationToken);
            }
            await producer;
        }
        finally
        {
            await stop.CancelAsync();
            await producer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await sink.FlushAsync(cancellationToken);
        status.Progress = 1;
        status.State = FeedStates.Completed;
        LogCompleted(logger, status.CandlesIngested, status.MalformedRows);
    }

    /// <summary>
    /// One open time's candles to deliver, after the derivatives samples known by their close; <paramref name="Skipped"/>
    /// rows before it were stored already (an empty batch: at the end, with the samples after the last candle).
    /// </summary>
    private readonly record struct ReplayBatch(long OpenTime, SymbolCandle[] Candles, DerivativesUpdate[] Derivatives, long Skipped, double Progress);

    /// <summary>Reads every row, skips what is stored, groups by open time; completes the channel (with the error, if any).</summary>
    private static async Task ParseAsync(KlineCsvReader reader, DerivativesCsvReader? derivativesReader, IReadOnlyDictionary<string, long> lastStored,
        ChannelWriter<ReplayBatch> output, CancellationToken cancellationToken)
    {
        using var samples = derivativesReader?.ReadAll().GetEnumerator();
        var hasSample = samples?.MoveNext() == true;
        var known = new List<DerivativesUpdate>();
        // The samples known by the close of the candles that opened at openTime (all of them at the end).
        DerivativesUpdate[] KnownBy(long openTime)
        {
            var close = openTime == long.MaxValue ? long.MaxValue : openTime + Candle.MinuteMs;
            while (hasSample && samples!.Current.Time <= close)
            {
                known.Add(samples.Current);
                hasSample = samples.MoveNext();
            }
            if (known.Count == 0)
            {
                return [];
            }
            DerivativesUpdate[] result = [.. known];
            known.Clear();
            return result;
        }
        try
        {
            var batch = new List<SymbolCandle>();
            var batchTime = long.MinValue;
            long skipped = 0;
            var resuming = lastStored.Count > 0; // a fresh replay looks nothing up per row
            double Progress() => reader.TotalBytes == 0 ? 1 : Math.Min(1, (double)reader.BytesRead / reader.TotalBytes);
            foreach (var row in reader.ReadAll())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (row.Candle.OpenTime != batchTime)
                {
                    if (batch.Count > 0)
                    {
                        await output.WriteAsync(new ReplayBatch(batchTime, [.. batch], KnownBy(batchTime), skipped, Progress()), cancellationToken);
                        batch.Clear();
                        skipped = 0;
                    }
                    batchTime = row.Candle.OpenTime;
                }
                if (resuming && lastStored.TryGetValue(row.Symbol, out var stored) && row.Candle.OpenTime <= stored)
                {
                    skipped++;
                }
                else
                {
                    batch.Add(row);
                }
            }
            if (batch.Count > 0)
            {
                await output.WriteAsync(new ReplayBatch(batchTime, [.. batch], KnownBy(batchTime), skipped, Progress()), cancellationToken);
                skipped = 0;
            }
            await output.WriteAsync(new ReplayBatch(long.MinValue, [], KnownBy(long.MaxValue), skipped, 1), cancellationToken);
            output.TryComplete();
        }
        catch (Exception ex)
        {
            output.TryComplete(ex);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Replaying {Symbols} symbols from {Files} files in {Path} at speed {Speed}")]
    private static partial void LogStarting(ILogger logger, int symbols, int files, string path, string speed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Malformed kline row skipped: {File}:{Line}: {Reason}")]
    private static partial void LogMalformed(ILogger logger, string file, int line, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Merging {Files} derivatives files from {Path} by time")]
    private static partial void LogDerivatives(ILogger logger, int files, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Malformed derivatives row skipped: {File}:{Line}: {Reason}")]
    private static partial void LogMalformedDerivatives(ILogger logger, string file, int line, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replay completed: {Candles} candles ingested, {Malformed} malformed rows skipped")]
    private static partial void LogCompleted(ILogger logger, long candles, long malformed);
}
