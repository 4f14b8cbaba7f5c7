using System.Text.Json;
using Scalpaiboard.Market.Derivatives;

namespace Scalpaiboard.Ingest.Services.Feeds.Binance;

/// <summary>
/// Open interest and the long/short ratios (the four <c>/futures/data</c> statistics, period 5m) and the funding
/// settlements (<c>/fapi/v1/fundingRate</c>) of the feed's symbols. <see cref="BackfillAsync"/> fetches what is missing
/// of the last <see cref="DerivativesHistory.KeepMs"/> (from the newest stored sample per symbol on) before the candles
/// are backfilled; <see cref="RunAsync"/> then polls every 5 minutes: the funding once, and each symbol once, the
/// symbols spread evenly over <see cref="SpreadMs"/> from <see cref="PollDelayMs"/> after the period's start, so an
/// endpoint sees at most one request per symbol per 5 minutes (docs/ingest.md has the plan). The four statistics are
/// merged by timestamp into one <see cref="OpenInterestSample"/> per period; a period some endpoint does not have yet
/// waits for the next poll, unless a later period is complete or it is <see cref="IncompleteAfterMs"/> old (it is then
/// delivered with the missing values NaN). A symbol whose poll fails is retried at the next one; the others go on.
/// </summary>
public sealed partial class DerivativesPoller(
    BinanceRestClient rest,
    IReadOnlyList<string> symbols,
    Action<IReadOnlyList<DerivativesUpdate>> deliver,
    TimeProvider time,
    ILogger logger)
{
    public const long PeriodMs = BinanceRestClient.PeriodMs;

    /// <summary>How long after a period's start its poll begins (the statistics are published shortly after).</summary>
    public const long PollDelayMs = 30_000;

    /// <summary>The symbols' polls are spread over this much of the period (the rest is slack for slow answers).</summary>
    public const long SpreadMs = 240_000;

    /// <summary>A period still missing a statistic this long after it is delivered without it.</summary>
    public const long IncompleteAfterMs = 3 * PeriodMs;

    /// <summary>Settlements before the history's start are fetched this far back: the rate in force at its start.</summary>
    private const long FundingLookBackMs = 8 * 3_600_000L;

    /// <summary>Settlements published late (after later ones of other symbols) are still found this far back.</summary>
    private const long FundingLateMs = 10 * 60_000L;

    private const int Parallelism = 4;

    private readonly Dictionary<string, int> _index = symbols.Select((s, i) => (s, i)).ToDictionary(x => x.s, x => x.i, StringComparer.Ordinal);

    // Per symbol: the newest period delivered, the newest settlement delivered.
    private readonly long[] _periodAfter = new long[symbols.Count];
    private readonly long[] _fundingAfter = Enumerable.Repeat(long.MinValue, symbols.Count).ToArray();
    private long _fundingFrom;

    /// <summary>Periods (over all symbols) delivered, and symbol polls that failed.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    public long Failures => Interlocked.Read(ref _failures);

    private long _delivered;
    private long _failures;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Fetches and delivers the last <see cref="DerivativesHistory.KeepMs"/> of every symbol, each from after its newest
    /// stored period (<paramref name="lastStored"/>) when that is later, and the funding settled meanwhile.
    /// </summary>
    public async Task BackfillAsync(IReadOnlyDictionary<string, long> lastStored, CancellationToken cancellationToken)
    {
        var now = Now;
        var earliest = now - DerivativesHistory.KeepMs;
        for (var i = 0; i < symbols.Count; i++)
        {
            _periodAfter[i] = lastStored.TryGetValue(symbols[i], out var t) && t >= earliest ? t : earliest - 1;
        }
        _fundingFrom = earliest - FundingLookBackMs;
        await PollFundingAsync(now, cancellationToken);
        await Parallel.ForAsync(0, symbols.Count, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (i, ct) => await PollSymbolAsync(i, now, ct));
        LogBackfilled(logger, symbols.Count, Delivered, Failures);
    }

    /// <summary>Polls every 5 minutes until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            // This period's poll if its time is still to come, else the next one's.
            var now = Now;
            var start = now - (now % PeriodMs) + PollDelayMs;
            if (start <= now)
            {
                start += PeriodMs;
            }
            await DelayUntilAsync(start, cancellationToken);
            await PollFundingAsync(Now, cancellationToken);
            var step = (double)SpreadMs / Math.Max(1, symbols.Count);
            // Indices are handed out in order, so each symbol starts at its slot (or as soon after as a worker is free).
            await Parallel.ForAsync(0, symbols.Count, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
                async (i, ct) =>
                {
                    await DelayUntilAsync(start + (long)(i * step), ct);
                    await PollSymbolAsync(i, Now, ct);
                });
        }
    }

    private async Task PollSymbolAsync(int i, long now, CancellationToken cancellationToken)
    {
        var symbol = symbols[i];
        var from = _periodAfter[i] + 1;
        if (from > now)
        {
            return;
        }
        var oi = TryAsync(rest.GetOpenInterestHistoryAsync(symbol, from, now, cancellationToken), symbol, BinanceRestClient.OpenInterestPath, cancellationToken);
        var accounts = TryAsync(rest.GetRatioHistoryAsync(FuturesRatio.GlobalAccounts, symbol, from, now, cancellationToken), symbol, BinanceRestClient.GlobalAccountsPath, cancellationToken);
        var top = TryAsync(rest.GetRatioHistoryAsync(FuturesRatio.TopTraderPositions, symbol, from, now, cancellationToken), symbol, BinanceRestClient.TopTraderPositionsPath, cancellationToken);
        var taker = TryAsync(rest.GetRatioHistoryAsync(FuturesRatio.TakerBuySell, symbol, from, now, cancellationToken), symbol, BinanceRestClient.TakerBuySellPath, cancellationToken);
        await Task.WhenAll(oi, accounts, top, taker);

        var periods = new SortedDictionary<long, Period>();
        Period At(long t) => periods.TryGetValue(t, out var p) ? p : periods[t] = new Period();
        foreach (var r in await oi ?? [])
        {
            var p = At(r.Time);
            (p.OpenInterest, p.OpenInterestValue) = (r.OpenInterest, r.OpenInterestValue);
            p.Have |= 1;
        }
        foreach (var (rows, bit) in new[] { (await accounts, 2), (await top, 4), (await taker, 8) })
        {
            foreach (var r in rows ?? [])
            {
                var p = At(r.Time);
                p.Set(bit, r.Ratio);
            }
        }
        long newestComplete = long.MinValue;
        foreach (var (t, p) in periods)
        {
            if (p.Have == 15)
            {
                newestComplete = t;
            }
        }
        var samples = new List<DerivativesUpdate>(periods.Count);
        foreach (var (t, p) in periods)
        {
            if (t < from || t > now)
            {
                continue; // not asked for
            }
            if (t > newestComplete && t > now - IncompleteAfterMs)
            {
                break; // the rest waits for its missing statistics
            }
            samples.Add(DerivativesUpdate.Of(symbol,
                new OpenInterestSample(t, p.OpenInterest, p.OpenInterestValue, p.LongShortRatio, p.TopTraderLongShortRatio, p.TakerBuySellRatio)));
        }
        if (samples.Count > 0)
        {
            deliver(samples);
            _periodAfter[i] = samples[^1].Time;
            Interlocked.Add(ref _delivered, samples.Count);
        }
    }

    private async Task PollFundingAsync(long now, CancellationToken cancellationToken)
    {
        List<FundingRow> rows;
        try
        {
            rows = await rest.GetFundingRatesAsync(_fundingFrom, now, cancellationToken);
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            Interlocked.Increment(ref _failures);
            LogPollFailed(logger, "all symbols", BinanceRestClient.FundingRatePath, ex.Message);
            return;
        }
        var samples = new List<DerivativesUpdate>();
        var newest = long.MinValue;
        foreach (var r in rows)
        {
            newest = Math.Max(newest, r.Time);
            if (_index.TryGetValue(r.Symbol, out var i) && r.Time > _fundingAfter[i] && double.IsFinite(r.Rate))
            {
                _fundingAfter[i] = r.Time;
                samples.Add(DerivativesUpdate.Of(r.Symbol, new FundingSample(r.Time, r.Rate)));
            }
        }
        if (newest != long.MinValue)
        {
            _fundingFrom = Math.Max(_fundingFrom, newest - FundingLateMs);
        }
        if (samples.Count > 0)
        {
            deliver(samples);
        }
    }

    /// <summary>One statistic of one symbol; a failure is logged and counted and reads as no rows.</summary>
    private async Task<List<T>?> TryAsync<T>(Task<List<T>> call, string symbol, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await call;
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            Interlocked.Increment(ref _failures);
            LogPollFailed(logger, symbol, path, ex.Message);
            return null;
        }
    }

    private static bool IsFailure(Exception ex, CancellationToken cancellationToken) =>
        ex is HttpRequestException or JsonException or FormatException or KeyNotFoundException or InvalidOperationException or OverflowException
        || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private async Task DelayUntilAsync(long target, CancellationToken cancellationToken)
    {
        for (var wait = target - Now; wait > 0; wait = target - Now)
        {
            await Task.Delay(RequestWeightLimiter.RealDelay(time, TimeSpan.FromMilliseconds(wait)), cancellationToken);
        }
    }

    private sealed class Period
    {
        public double OpenInterest = double.NaN;
        public double OpenInterestValue = double.NaN;
        public double LongShortRatio = double.NaN;
        public double TopTraderLongShortRatio = double.NaN;
        public double TakerBuySellRatio = double.NaN;

        /// <summary>Which statistics have the period: 1 open interest, 2 accounts, 4 top traders, 8 takers.</summary>
        public int Have;

        public void Set(int bit, double ratio)
        {
            switch (bit)
            {
                case 2: LongShortRatio = ratio; break;
                case 4: TopTraderLongShortRatio = ratio; break;
                default: TakerBuySellRatio = ratio; break;
            }
            Have |= bit;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Derivatives backfill: {Symbols} symbols, {Periods} 5-minute periods, {Failures} failed calls")]
    private static partial void LogBackfilled(ILogger logger, int symbols, long periods, long failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Binance {Path} for {Symbol} failed: {Error}; tried again at the next poll")]
    private static partial void LogPollFailed(ILogger logger, string symbol, string path, string error);
}
