using System.Globalization;
using Scalpaiboard.Market.Derivatives;

namespace Scalpaiboard.Market.Data;

/// <summary>
/// Streams the derivatives replay files of ../docs/DERIVATIVES.md from a folder: Binance public-data
/// <c>SYMBOL-metrics-YYYY-MM-DD.csv</c> (5-minute open interest and ratios, known from <c>create_time</c>) and
/// <c>SYMBOL-fundingRate-YYYY-MM.csv</c> (known from <c>calc_time</c>), as one stream of
/// <see cref="DerivativesUpdate"/>s ordered by time, then symbol, then kind, as a live feed would have learnt them.
/// Columns are found by the header's names (the funding files by position when they have no header). Each symbol's
/// files of a kind are read one after the other in name order; one file per symbol and kind is open at a time.
/// An empty value is unavailable (NaN); a row that cannot be read is reported through the callback and skipped.
/// </summary>
public sealed class DerivativesCsvReader
{
    private static readonly string[] MetricsColumns =
        ["create_time", "sum_open_interest", "sum_open_interest_value", "count_long_short_ratio", "sum_toptrader_long_short_ratio", "sum_taker_long_short_vol_ratio"];

    private readonly Action<KlineReadError>? _onError;
    private long _malformed;

    public DerivativesCsvReader(string path, Action<KlineReadError>? onError = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _onError = onError;
        if (!Directory.Exists(path))
        {
            throw new DirectoryNotFoundException($"The derivatives folder '{path}' does not exist.");
        }
        var files = new List<DerivativesFile>();
        foreach (var file in Directory.EnumerateFiles(path, "*.csv", SearchOption.TopDirectoryOnly))
        {
            var name = System.IO.Path.GetFileNameWithoutExtension(file);
            var parts = name.Split('-');
            if (parts.Length < 2 || parts[0].Length == 0)
            {
                continue;
            }
            DerivativesFileKind? kind = parts[1] switch
            {
                "metrics" => DerivativesFileKind.Metrics,
                "fundingRate" => DerivativesFileKind.FundingRate,
                _ => null,
            };
            if (kind is { } k)
            {
                files.Add(new DerivativesFile(parts[0].ToUpperInvariant(), k, file));
            }
        }
        Files = [.. files.OrderBy(f => f.Symbol, StringComparer.Ordinal).ThenBy(f => f.Kind).ThenBy(f => f.Path, StringComparer.Ordinal)];
    }

    public IReadOnlyList<DerivativesFile> Files { get; }

    public IEnumerable<string> Symbols => Files.Select(f => f.Symbol).Distinct();

    public long MalformedRows => Interlocked.Read(ref _malformed);

    /// <summary>Every row of every file, merged by time (then symbol, then kind).</summary>
    public IEnumerable<DerivativesUpdate> ReadAll()
    {
        var queue = new PriorityQueue<IEnumerator<DerivativesUpdate>, (long Time, string Symbol, DerivativesKind Kind)>(
            Comparer<(long Time, string Symbol, DerivativesKind Kind)>.Create((a, b) =>
            {
                var c = a.Time.CompareTo(b.Time);
                if (c == 0)
                {
                    c = string.CompareOrdinal(a.Symbol, b.Symbol);
                }
                return c != 0 ? c : a.Kind.CompareTo(b.Kind);
            }));
        var cursors = new List<IEnumerator<DerivativesUpdate>>();
        try
        {
            foreach (var group in Files.GroupBy(f => (f.Symbol, f.Kind)))
            {
                var cursor = ReadGroup(group.Key.Symbol, group.Key.Kind, [.. group]).GetEnumerator();
                cursors.Add(cursor);
                if (cursor.MoveNext())
                {
                    queue.Enqueue(cursor, (cursor.Current.Time, cursor.Current.Symbol, cursor.Current.Kind));
                }
            }
            while (queue.TryDequeue(out var cursor, out _))
            {
                yield return cursor.Current;
                if (cursor.MoveNext())
                {
                    queue.Enqueue(cursor, (cursor.Current.Time, cursor.Current.Symbol, cursor.Current.Kind));
                }
            }
        }
        finally
        {
            foreach (var cursor in cursors)
            {
                cursor.Dispose();
            }
        }
    }

    private IEnumerable<DerivativesUpdate> ReadGroup(string symbol, DerivativesFileKind kind, DerivativesFile[] files)
    {
        foreach (var file in files)
        {
            var fileName = System.IO.Path.GetFileName(file.Path);
            using var reader = new StreamReader(file.Path);
            int[]? columns = null;
            var lineNumber = 0;
            while (reader.ReadLine() is { } line)
            {
                lineNumber++;
                if (line.Length == 0 || (line.Length == 1 && line[0] == '\r'))
                {
                    continue;
                }
                var fields = line.TrimEnd('\r').Split(',');
                if (columns is null && lineNumber == 1 && !StartsWithDigit(fields[0]))
                {
                    if (!TryHeader(kind, fields, out columns, out var missing))
                    {
                        Report(fileName, lineNumber, $"header lacks the column '{missing}'");
                        break;
                    }
                    continue;
                }
                columns ??= kind == DerivativesFileKind.Metrics ? null : [0, 2];
                if (columns is null)
                {
                    Report(fileName, lineNumber, "a metrics file needs a header row naming its columns");
                    break;
                }
                var parsed = kind == DerivativesFileKind.Metrics
                    ? TryMetrics(symbol, fields, columns, out var update, out var reason)
                    : TryFunding(symbol, fields, columns, out update, out reason);
                if (parsed)
                {
                    yield return update;
                }
                else
                {
                    Report(fileName, lineNumber, reason!);
                }
            }
        }
    }

    private static bool StartsWithDigit(string field) => field.Trim().Length > 0 && char.IsAsciiDigit(field.Trim()[0]);

    private static bool TryHeader(DerivativesFileKind kind, string[] fields, out int[] columns, out string? missing)
    {
        string[] wanted = kind == DerivativesFileKind.Metrics ? MetricsColumns : ["calc_time", "last_funding_rate"];
        columns = new int[wanted.Length];
        for (var i = 0; i < wanted.Length; i++)
        {
            columns[i] = Array.FindIndex(fields, f => string.Equals(f.Trim(), wanted[i], StringComparison.OrdinalIgnoreCase));
            if (columns[i] < 0)
            {
                missing = wanted[i];
                return false;
            }
        }
        missing = null;
        return true;
    }

    private static bool TryMetrics(string symbol, string[] fields, int[] columns, out DerivativesUpdate update, out string? reason)
    {
        update = default;
        if (!TryField(fields, columns[0], "create_time", out var timeText, out reason))
        {
            return false;
        }
        if (!TryTime(timeText, out var time))
        {
            reason = $"create_time '{timeText}' is not 'YYYY-MM-DD HH:MM:SS' (UTC) or Unix ms";
            return false;
        }
        Span<double> v = stackalloc double[5];
        for (var i = 0; i < 5; i++)
        {
            var name = MetricsColumns[i + 1];
            if (!TryField(fields, columns[i + 1], name, out var text, out reason))
            {
                return false;
            }
            if (!TryValue(text, out v[i]) || v[i] < 0)
            {
                reason = $"{name} '{text}' is not a non-negative number";
                return false;
            }
        }
        update = DerivativesUpdate.Of(symbol, new OpenInterestSample(time, v[0], v[1], v[2], v[3], v[4]));
        reason = null;
        return true;
    }

    private static bool TryFunding(string symbol, string[] fields, int[] columns, out DerivativesUpdate update, out string? reason)
    {
        update = default;
        if (!TryField(fields, columns[0], "calc_time", out var timeText, out reason))
        {
            return false;
        }
        if (!long.TryParse(timeText, NumberStyles.None, CultureInfo.InvariantCulture, out var time))
        {
            reason = $"calc_time '{timeText}' is not Unix ms";
            return false;
        }
        if (!TryField(fields, columns[1], "last_funding_rate", out var rateText, out reason))
        {
            return false;
        }
        if (!TryValue(rateText, out var rate) || Math.Abs(rate) > 1)
        {
            reason = $"last_funding_rate '{rateText}' is not a rate (a fraction between -1 and 1)";
            return false;
        }
        update = DerivativesUpdate.Of(symbol, new FundingSample(time, rate));
        reason = null;
        return true;
    }

    private static bool TryField(string[] fields, int column, string name, out string text, out string? reason)
    {
        if (column >= fields.Length)
        {
            text = "";
            reason = $"row has {fields.Length} fields, {name} is column {column + 1}";
            return false;
        }
        text = fields[column].Trim();
        reason = null;
        return true;
    }

    /// <summary>An empty value is unavailable (NaN); anything else must be a finite number.</summary>
    private static bool TryValue(string text, out double value)
    {
        if (text.Length == 0)
        {
            value = double.NaN;
            return true;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    private static bool TryTime(string text, out long ms)
    {
        if (text.Length > 0 && text.All(char.IsAsciiDigit))
        {
            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ms);
        }
        if (DateTime.TryParseExact(text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t))
        {
            ms = new DateTimeOffset(t, TimeSpan.Zero).ToUnixTimeMilliseconds();
            return true;
        }
        ms = 0;
        return false;
    }

    private void Report(string file, int line, string reason)
    {
        Interlocked.Increment(ref _malformed);
        _onError?.Invoke(new KlineReadError(file, line, reason));
    }
}

public enum DerivativesFileKind : byte
{
    Metrics,
    FundingRate,
}

/// <summary>A derivatives replay file: its symbol (the name's part before the first '-'), kind and path.</summary>
public sealed record DerivativesFile(string Symbol, DerivativesFileKind Kind, string Path);
