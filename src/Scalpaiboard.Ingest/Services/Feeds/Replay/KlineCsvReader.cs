using System.Globalization;
using Scalpaiboard.Market;

namespace Scalpaiboard.Ingest.Services.Feeds.Replay;

/// <summary>A malformed CSV row: where it is and why it was skipped.</summary>
public sealed record MalformedRow(string File, int Line, string Reason);

/// <summary>
/// Reads one symbol's Binance public-data 1m kline CSV files (header row or not; open times in ms or us) in order,
/// yielding valid candles and reporting malformed rows with file and line.
/// </summary>
public sealed class KlineCsvReader(string symbol, IReadOnlyList<string> files, Action<MalformedRow> onMalformed, Action<long>? onBytes = null)
{
    public string Symbol { get; } = symbol;

    public IEnumerable<Candle> Read()
    {
        foreach (var file in files)
        {
            using var reader = new StreamReader(file);
            var lineNo = 0;
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                lineNo++;
                onBytes?.Invoke(line.Length + 1);
                if (line.Length == 0)
                {
                    continue;
                }
                if (lineNo == 1 && !char.IsAsciiDigit(line[0]) && line.StartsWith("open_time", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
                if (TryParse(line, out var candle, out var reason))
                {
                    yield return candle;
                }
                else
                {
                    onMalformed(new MalformedRow(file, lineNo, reason));
                }
            }
        }
    }

    public static bool TryParse(string line, out Candle candle, out string reason)
    {
        candle = default;
        Span<Range> parts = stackalloc Range[13];
        var span = line.AsSpan().TrimEnd('\r');
        var n = span.Split(parts, ',');
        if (n < 11)
        {
            reason = $"expected at least 11 columns, found {n}";
            return false;
        }
        const NumberStyles num = NumberStyles.Float;
        var inv = CultureInfo.InvariantCulture;
        if (!long.TryParse(span[parts[0]], NumberStyles.Integer, inv, out var openTime)
            || !double.TryParse(span[parts[1]], num, inv, out var open)
            || !double.TryParse(span[parts[2]], num, inv, out var high)
            || !double.TryParse(span[parts[3]], num, inv, out var low)
            || !double.TryParse(span[parts[4]], num, inv, out var close)
            || !double.TryParse(span[parts[5]], num, inv, out var volume)
            || !double.TryParse(span[parts[7]], num, inv, out var quoteVolume)
            || !long.TryParse(span[parts[8]], NumberStyles.Integer, inv, out var trades)
            || !double.TryParse(span[parts[9]], num, inv, out var takerBase)
            || !double.TryParse(span[parts[10]], num, inv, out var takerQuote))
        {
            reason = "a column is not a number";
            return false;
        }
        // Binance archives switched to microseconds in 2025; anything past year ~5000 in ms is us.
        if (openTime > 100_000_000_000_000)
        {
            openTime /= 1000;
        }
        if (openTime <= 0 || openTime % Candle.MinuteMs != 0)
        {
            reason = "open_time is not a whole UTC minute";
            return false;
        }
        if (!(open > 0 && high > 0 && low > 0 && close > 0) || high < low || high < Math.Max(open, close) || low > Math.Min(open, close)
            || volume < 0 || quoteVolume < 0 || trades < 0 || !double.IsFinite(high) || !double.IsFinite(volume) || !double.IsFinite(quoteVolume))
        {
            reason = "prices or volumes are inconsistent (high < low, non-positive price, negative volume)";
            return false;
        }
        candle = new Candle(openTime, open, high, low, close, volume, quoteVolume, trades, takerBase, takerQuote);
        reason = "";
        return true;
    }
}
