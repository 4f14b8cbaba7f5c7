using Scalpaiboard.Infrastructure.Redis;
using System.ComponentModel.DataAnnotations;

namespace Scalpaiboard.Ingest.Model;

/// <summary>Settings of the ingest service (section <c>Ingest</c>), validated at start-up.</summary>
public sealed class IngestOptions : IValidatableObject
{
    public const string Section = "Ingest";

    /// <summary><c>simulated</c> (default), <c>replay</c> or <c>binance</c>.</summary>
    [Required]
    [RegularExpression("^(simulated|replay|binance)$", ErrorMessage = "must be simulated, replay or binance")]
    public string Feed { get; set; } = FeedKinds.Simulated;

    /// <summary>For binance: <c>all</c> or a comma list of symbols.</summary>
    public string Symbols { get; set; } = "all";

    /// <summary>Days of 1m candles kept in PostgreSQL.</summary>
    [Range(1, 36500)]
    public int RetentionDays { get; set; } = 7;

    /// <summary>
    /// Minutes of stored 1m candles per symbol the rolling state is rebuilt from at start-up, counted back from the
    /// symbol's latest candle and extended to the start of that UTC day, so every bar of every timeframe starts
    /// complete. A day is what the rolling windows need; the default three days also warm the 1h indicators up
    /// (MACD, ADX, EMA 50 need 34 to 50 bars), so they read the same after a restart as before it.
    /// </summary>
    [Range(1440, 43_200)]
    public int RestoreMinutes { get; set; } = 4320;

    /// <summary>
    /// Days of closed 4h bars (with the 8h and 1d bars made from them) seeded per symbol from before its 1m history
    /// on first start, so the 4h/8h/1d indicators are there at once (a 1d MACD needs 34 daily bars): the simulated
    /// feed generates them, the Binance feed fetches 4h klines. Kept in <c>ingest.bars</c>; 0 disables. The replay
    /// feed does not seed (its CSV data is 1m only).
    /// </summary>
    [Range(0, 1000)]
    public int SeedDays { get; set; } = 90;

    /// <summary>
    /// How long entries stay in the metrics stream: each XADD trims with <c>MINID ~</c> (now minus this), so an Alerts
    /// outage up to this long is caught up from the stream whatever the feed's pace (a replay at max speed included).
    /// An entry holds a whole minute of every symbol's metrics (about 1 KB per symbol): 48 hours of 500 symbols is
    /// about 1.4 GB of Redis memory (docs/ingest.md).
    /// </summary>
    [Range(1, 24 * 30)]
    public int StreamRetentionHours { get; set; } = 48;

    /// <summary>Trim by <c>MAXLEN ~</c> to this many entries instead of by age (a hard memory bound; an Alerts outage longer than the stream loses evaluations).</summary>
    [Range(1000, 100_000_000)]
    public long? StreamMaxLength { get; set; }

    public StreamTrim EffectiveStreamTrim => StreamMaxLength is { } n ? StreamTrim.ByLength(n) : StreamTrim.ByAge(TimeSpan.FromHours(StreamRetentionHours));

    /// <summary>
    /// Megabytes of metrics events kept in memory while Redis is unreachable, published in order when it is back; the
    /// candles are stored meanwhile. Beyond this the writer waits for Redis (storing stops too, the feed is held back).
    /// An event is about 1 KB per symbol: 256 MB are about 8.5 hours of 500 symbols, 15 days of 12.
    /// </summary>
    [Range(1, 64 * 1024)]
    public int UnpublishedLimitMegabytes { get; set; } = 256;

    /// <summary>A feed whose last closed candle is older than this (in real-time feeds) is reported Degraded.</summary>
    [Range(10, 86400)]
    public int StaleAfterSeconds { get; set; } = 180;

    public ReplayOptions Replay { get; set; } = new();

    public SimulatedOptions Simulated { get; set; } = new();

    public BinanceOptions Binance { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (prefix, nested) in new (string, object)[] { ("Replay", Replay), ("Simulated", Simulated), ("Binance", Binance) })
        {
            var results = new List<ValidationResult>();
            if (!Validator.TryValidateObject(nested, new ValidationContext(nested), results, validateAllProperties: true))
            {
                foreach (var r in results)
                {
                    yield return new ValidationResult(r.ErrorMessage, r.MemberNames.Select(m => $"{prefix}:{m}").ToArray());
                }
            }
        }
        if (Feed == FeedKinds.Simulated && Simulated.HistoryMinutes > RestoreMinutes)
        {
            yield return new ValidationResult(
                $"must not exceed Ingest:RestoreMinutes ({RestoreMinutes}): a restart would rebuild the indicators from less history than they had",
                ["Simulated:HistoryMinutes"]);
        }
        if (Feed == FeedKinds.Replay)
        {
            if (string.IsNullOrWhiteSpace(Replay.Path))
            {
                yield return new ValidationResult("is required when Ingest:Feed is replay", ["Replay:Path"]);
            }
            else if (!File.Exists(Replay.Path) && !Directory.Exists(Replay.Path))
            {
                yield return new ValidationResult($"'{Replay.Path}' is neither a file nor a folder", ["Replay:Path"]);
            }
            if (!ReplayOptions.TryParseSpeed(Replay.Speed, out _))
            {
                yield return new ValidationResult("must be 'max' or a positive multiple of real time (e.g. 60)", ["Replay:Speed"]);
            }
        }
        if (Feed == FeedKinds.Binance)
        {
            if (!Uri.TryCreate(Binance.RestUrl, UriKind.Absolute, out var rest) || rest.Scheme is not ("http" or "https"))
            {
                yield return new ValidationResult("must be an absolute http(s) URL", ["Binance:RestUrl"]);
            }
            if (!Uri.TryCreate(Binance.StreamUrl, UriKind.Absolute, out var ws) || ws.Scheme is not ("ws" or "wss"))
            {
                yield return new ValidationResult("must be an absolute ws(s) URL", ["Binance:StreamUrl"]);
            }
        }
        if (string.IsNullOrWhiteSpace(Symbols))
        {
            yield return new ValidationResult("must be 'all' or a comma list of symbols", [nameof(Symbols)]);
        }
    }

    /// <summary>The explicit symbol list, or null for <c>all</c>.</summary>
    public IReadOnlyList<string>? SymbolList()
    {
        if (string.Equals(Symbols.Trim(), "all", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        return Symbols.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => s.ToUpperInvariant()).Distinct().ToArray();
    }
}

public static class FeedKinds
{
    public const string Simulated = "simulated";
    public const string Replay = "replay";
    public const string Binance = "binance";
}

public sealed class ReplayOptions
{
    /// <summary>A folder (searched recursively) or a single file of Binance public-data 1m kline CSVs.</summary>
    public string? Path { get; set; }

    /// <summary><c>max</c>, or a multiple of real time: the wait between two open times is their gap divided by it.</summary>
    public string Speed { get; set; } = "max";

    /// <summary>
    /// A folder of Binance public-data derivatives files (<c>SYMBOL-metrics-YYYY-MM-DD.csv</c>,
    /// <c>SYMBOL-fundingRate-YYYY-MM.csv</c>, ../docs/DERIVATIVES.md), merged by time with the klines. Optional.
    /// </summary>
    public string? DerivativesPath { get; set; }

    /// <summary>Parses <see cref="Speed"/>: null for max.</summary>
    public static bool TryParseSpeed(string? text, out double? speed)
    {
        speed = null;
        if (string.IsNullOrWhiteSpace(text) || string.Equals(text.Trim(), "max", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v)
            && v > 0 && double.IsFinite(v))
        {
            speed = v;
            return true;
        }
        return false;
    }
}

public sealed class SimulatedOptions
{
    /// <summary>Seed of the simulated market; the same seed gives the same market.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>How many of the built-in symbols to simulate (1..50).</summary>
    [Range(1, 50)]
    public int SymbolCount { get; set; } = 50;

    /// <summary>Interval of forming-candle and order-book updates.</summary>
    [Range(100, 60_000)]
    public int TickMilliseconds { get; set; } = 1000;

    /// <summary>
    /// Minutes of history filled at once on the first start (extended to the start of that UTC day). A day plus a
    /// minute is what every rolling window needs (change_1d reads the close 1440 minutes back); the default three
    /// days make the 1h indicators available at once too. Keep it at most <c>Ingest:RestoreMinutes</c> so a restart
    /// rebuilds the same state.
    /// </summary>
    [Range(1441, 43_200)]
    public int HistoryMinutes { get; set; } = 4320;
}

public sealed class BinanceOptions
{
    public string RestUrl { get; set; } = "https://fapi.binance.com";

    public string StreamUrl { get; set; } = "wss://fstream.binance.com";

    /// <summary>Streams per WebSocket connection (Binance allows 200 at most).</summary>
    [Range(1, 200)]
    public int StreamsPerConnection { get; set; } = 200;

    /// <summary>Control messages (subscribe/unsubscribe) per second per connection (Binance allows 10).</summary>
    [Range(1, 10)]
    public int ControlMessagesPerSecond { get; set; } = 5;

    /// <summary>A stream silent for longer than this is reconnected.</summary>
    [Range(1, 3600)]
    public int SilenceTimeoutSeconds { get; set; } = 30;

    /// <summary>Request weight per minute we allow ourselves, as a fraction of the server's limit.</summary>
    [Range(0.1, 1.0)]
    public double WeightBudgetFraction { get; set; } = 0.8;

    /// <summary>
    /// Requests per 5 minutes per IP that Binance allows each <c>/futures/data</c> statistic (open interest, the
    /// long/short ratios; weight 0); we use <see cref="WeightBudgetFraction"/> of it.
    /// </summary>
    [Range(1, 100_000)]
    public int DataRequestsPerFiveMinutes { get; set; } = 1000;

    /// <summary>Requests per 5 minutes per IP that Binance allows <c>/fapi/v1/fundingRate</c>; we use <see cref="WeightBudgetFraction"/> of it.</summary>
    [Range(1, 100_000)]
    public int FundingRequestsPerFiveMinutes { get; set; } = 500;

    /// <summary>Weight limit per minute assumed until exchangeInfo says otherwise.</summary>
    [Range(1, 100_000)]
    public int DefaultWeightLimit { get; set; } = 2400;

    /// <summary>First reconnect delay; doubles (with jitter) up to <see cref="MaxReconnectDelayMilliseconds"/>.</summary>
    [Range(1, 60_000)]
    public int ReconnectDelayMilliseconds { get; set; } = 500;

    [Range(1, 600_000)]
    public int MaxReconnectDelayMilliseconds { get; set; } = 30_000;

    /// <summary>Seconds to wait for every symbol's closed kline of a minute before publishing the batch.</summary>
    [Range(0, 60)]
    public double BatchWaitSeconds { get; set; } = 3;

    /// <summary>Order books idle (no API request) for longer than this are unsubscribed.</summary>
    [Range(5, 86400)]
    public int DepthIdleSeconds { get; set; } = 120;
}
