using System.Collections.Concurrent;
using Scalpaiboard.Market.Backtests;
using Scalpaiboard.Market.Data;

namespace Scalpaiboard.Cli.Backtests;

/// <summary>
/// Kline CSVs as backtest series, one per symbol, each read by the worker that runs it with a reader of its own.
/// A backtest does not skip bad rows the way <c>scalp scan</c> does (a missing candle moves every trade after it):
/// the first malformed row is recorded as <c>file:line: reason</c> and <see cref="Failed"/> is cancelled, which stops
/// the run.
/// </summary>
public sealed class KlineBacktestInput : IDisposable
{
    /// <summary>Bytes per row assumed when the first file has no complete row to measure.</summary>
    private const double DefaultRowBytes = 110;

    private readonly ConcurrentQueue<KlineReadError> _errors = new();
    private readonly CancellationTokenSource _failed = new();

    private KlineBacktestInput(IReadOnlyList<KlineFile> files, IReadOnlyList<KlineSymbolFiles> symbols)
    {
        Files = files;
        var rowBytes = files.Count > 0 ? MeasureRowBytes(files[0].Path) : DefaultRowBytes;
        var series = new BacktestSeries[symbols.Count];
        for (var i = 0; i < series.Length; i++)
        {
            var group = symbols[i];
            series[i] = new BacktestSeries(group.Symbol, () => new KlineCsvReader(group.Files, Report).ReadInFileOrder(),
                (long)(group.Length / rowBytes));
        }
        Series = series;
    }

    /// <summary>The CSV files read, all symbols.</summary>
    public IReadOnlyList<KlineFile> Files { get; }

    public IReadOnlyList<BacktestSeries> Series { get; }

    /// <summary>Malformed rows met so far (the run stops at the first; a worker may report one more meanwhile).</summary>
    public IReadOnlyCollection<KlineReadError> Errors => _errors;

    /// <summary>Cancelled at the first malformed row.</summary>
    public CancellationToken Failed => _failed.Token;

    /// <summary>
    /// The kline CSVs of a folder (or one file), grouped by symbol; only <paramref name="symbols"/> when given (null:
    /// all). <see cref="FileNotFoundException"/> for a missing path.
    /// </summary>
    public static KlineBacktestInput Open(string path, IReadOnlySet<string>? symbols = null)
    {
        var files = KlineCsvReader.Discover(path);
        var groups = KlineCsvReader.GroupBySymbol(files);
        if (symbols is not null)
        {
            groups = groups.Where(g => symbols.Contains(g.Symbol)).ToList();
            files = groups.SelectMany(g => g.Files).ToList();
        }
        return new KlineBacktestInput(files, groups);
    }

    public void Dispose() => _failed.Dispose();

    private void Report(KlineReadError error)
    {
        _errors.Enqueue(error);
        _failed.Cancel();
    }

    /// <summary>Average bytes per line over the start of a file, for the candle estimates of the progress.</summary>
    private static double MeasureRowBytes(string path)
    {
        var buffer = new byte[64 * 1024];
        int read;
        using (var stream = File.OpenRead(path))
        {
            read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        var lines = buffer.AsSpan(0, read).Count((byte)'\n');
        return lines > 0 ? (double)read / lines : DefaultRowBytes;
    }
}
