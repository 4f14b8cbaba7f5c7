using System.Globalization;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Data;
using Scalpaiboard.Market.Signals;

namespace Scalpaiboard.Cli.Scan;

/// <summary>The outcome of a scan: the fired signals in output order and the engine's counters.</summary>
public sealed record ScanResult(
    IReadOnlyList<PresetSignal> Signals,
    long Candles,
    long MalformedRows,
    long Rejected,
    long Duplicates,
    long Gaps,
    int Symbols);

/// <summary>
/// Runs the presets over kline history through the market engine, exactly as live ingest does candle by
/// candle, and orders the signals by symbol, open time, then preset.
/// </summary>
public sealed class ScanRunner(MarketEngineOptions options)
{
    /// <param name="onProgress">Called now and then with (bytes read, total bytes).</param>
    public ScanResult Run(
        KlineCsvReader reader,
        Action<long, long>? onProgress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var engine = new MarketEngine(options);
        var signals = new List<PresetSignal>();
        long candles = 0;
        foreach (var (symbol, candle) in reader.ReadAll())
        {
            var update = engine.OnClosedCandle(symbol, candle);
            foreach (var type in update.Fired)
            {
                signals.Add(new PresetSignal(symbol, type, candle.OpenTime, candle.Close));
            }
            if (++candles % 16_384 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                onProgress?.Invoke(reader.BytesRead, reader.TotalBytes);
            }
        }
        onProgress?.Invoke(reader.TotalBytes, reader.TotalBytes);

        signals.Sort(static (a, b) =>
        {
            var c = string.CompareOrdinal(a.Symbol, b.Symbol);
            if (c != 0)
            {
                return c;
            }
            c = a.OpenTime.CompareTo(b.OpenTime);
            return c != 0 ? c : a.Type.CompareTo(b.Type);
        });
        return new ScanResult(signals, candles, reader.MalformedRows, engine.Rejected, engine.Duplicates, engine.Gaps,
            engine.SymbolCount);
    }

    /// <summary>Writes <c>symbol,open_time,rule,price</c> with a header row.</summary>
    public static void WriteCsv(IReadOnlyList<PresetSignal> signals, TextWriter writer)
    {
        writer.Write("symbol,open_time,rule,price\n");
        foreach (var s in signals)
        {
            writer.Write(s.Symbol);
            writer.Write(',');
            writer.Write(s.OpenTime.ToString(CultureInfo.InvariantCulture));
            writer.Write(',');
            writer.Write(s.Type.Key());
            writer.Write(',');
            writer.Write(s.Price.ToString("R", CultureInfo.InvariantCulture));
            writer.Write('\n');
        }
    }
}
