namespace Scalpaiboard.Market.Data;

/// <summary>One candle of one symbol, as the reader yields them.</summary>
public readonly record struct SymbolCandle(string Symbol, Candle Candle);

/// <summary>A kline CSV and the symbol its name gives (the part before the first '-').</summary>
public sealed record KlineFile(string Symbol, string Path, long Length);

/// <summary>One symbol's kline files, in reading order.</summary>
public sealed record KlineSymbolFiles(string Symbol, IReadOnlyList<KlineFile> Files)
{
    public long Length => Files.Sum(f => f.Length);
}

/// <summary>A row that was skipped; <see cref="ToString"/> gives <c>file:line: reason</c>.</summary>
public sealed record KlineReadError(string File, int Line, string Reason)
{
    public override string ToString() => $"{File}:{Line}: {Reason}";
}

/// <summary>
/// Streams Binance public-data 1m kline CSVs from a folder (every <c>*.csv</c> in it) or a single file.
/// Each symbol's files are read one after the other in file-name order (the dates in Binance's names sort
/// chronologically); the symbols are merged by open time, then symbol (ordinal), so the candles of all symbols
/// come out interleaved in time order, as a live feed would deliver them. Only one file per symbol is open at a
/// time and nothing is loaded up front. Malformed rows are reported through the callback and skipped.
/// Not thread-safe; enumerate once.
/// </summary>
public sealed class KlineCsvReader
{
    private readonly Action<KlineReadError>? _onError;
    private long _charsRead;
    private long _malformed;

    public KlineCsvReader(string path, Action<KlineReadError>? onError = null)
        : this(Discover(path), onError)
    {
    }

    /// <summary>A reader of the given files (e.g. one symbol's files from <see cref="GroupBySymbol"/>).</summary>
    public KlineCsvReader(IReadOnlyList<KlineFile> files, Action<KlineReadError>? onError = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        Files = files;
        _onError = onError;
        foreach (var file in Files)
        {
            TotalBytes += file.Length;
        }
    }

    public IReadOnlyList<KlineFile> Files { get; }

    /// <summary>Total size of the input files.</summary>
    public long TotalBytes { get; }

    /// <summary>
    /// Characters consumed so far (line lengths plus one per line end, as StreamReader.ReadLine would see them), for
    /// progress against <see cref="TotalBytes"/>. Written by the enumerating thread only; readable from any thread.
    /// </summary>
    public long BytesRead => Volatile.Read(ref _charsRead);

    public long MalformedRows => Interlocked.Read(ref _malformed);

    /// <summary>Reads <paramref name="path"/> (folder or file) as one time-ordered stream of all symbols.</summary>
    public static IEnumerable<SymbolCandle> Read(string path, Action<KlineReadError>? onError = null) =>
        new KlineCsvReader(path, onError).ReadAll();

    /// <summary>The symbol of a Binance kline file name: the part before the first '-', upper case.</summary>
    public static string SymbolOf(string path)
    {
        var name = System.IO.Path.GetFileNameWithoutExtension(path);
        var dash = name.IndexOf('-', StringComparison.Ordinal);
        return (dash > 0 ? name[..dash] : name).ToUpperInvariant();
    }

    /// <summary>The CSV files of a folder (top level, sorted by name) or the single file given.</summary>
    public static IReadOnlyList<KlineFile> Discover(string path)
    {
        if (File.Exists(path))
        {
            return [new KlineFile(SymbolOf(path), path, new FileInfo(path).Length)];
        }
        if (!Directory.Exists(path))
        {
            throw new FileNotFoundException($"no such file or folder: {path}", path);
        }
        var files = new List<KlineFile>();
        foreach (var file in Directory.EnumerateFiles(path, "*.csv", SearchOption.TopDirectoryOnly))
        {
            files.Add(new KlineFile(SymbolOf(file), file, new FileInfo(file).Length));
        }
        files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return files;
    }

    /// <summary>The files by symbol, symbols in ordinal order, each symbol's files in the order given.</summary>
    public static IReadOnlyList<KlineSymbolFiles> GroupBySymbol(IReadOnlyList<KlineFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var bySymbol = new SortedDictionary<string, List<KlineFile>>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (!bySymbol.TryGetValue(file.Symbol, out var list))
            {
                bySymbol[file.Symbol] = list = [];
            }
            list.Add(file);
        }
        var groups = new List<KlineSymbolFiles>(bySymbol.Count);
        foreach (var (symbol, list) in bySymbol)
        {
            groups.Add(new KlineSymbolFiles(symbol, list));
        }
        return groups;
    }

    /// <summary>
    /// The candles of the reader's files one file after the other, in the order given, not merged by time: for a
    /// reader of one symbol's files, where <see cref="ReadAll"/>'s merge would only cost a queue operation per candle.
    /// Malformed rows are reported and skipped as there. Symbols read on different threads need a reader each.
    /// </summary>
    public IEnumerable<Candle> ReadInFileOrder() => ReadSymbol(Files);

    public IEnumerable<SymbolCandle> ReadAll()
    {
        var bySymbol = GroupBySymbol(Files);

        var symbols = new string[bySymbol.Count];
        var streams = new IEnumerator<Candle>[bySymbol.Count];
        var queue = new PriorityQueue<int, (long OpenTime, int Rank)>(bySymbol.Count);
        try
        {
            var rank = 0;
            foreach (var (symbol, files) in bySymbol)
            {
                symbols[rank] = symbol;
                streams[rank] = ReadSymbol(files).GetEnumerator();
                if (streams[rank].MoveNext())
                {
                    queue.Enqueue(rank, (streams[rank].Current.OpenTime, rank));
                }
                rank++;
            }

            while (queue.TryDequeue(out var next, out _))
            {
                var stream = streams[next];
                yield return new SymbolCandle(symbols[next], stream.Current);
                if (stream.MoveNext())
                {
                    queue.Enqueue(next, (stream.Current.OpenTime, next));
                }
            }
        }
        finally
        {
            foreach (var stream in streams)
            {
                stream?.Dispose();
            }
        }
    }

    private IEnumerable<Candle> ReadSymbol(IReadOnlyList<KlineFile> files)
    {
        foreach (var file in files)
        {
            using var lines = new Utf8LineReader(file.Path);
            if (lines.NotUtf8)
            {
                // A UTF-16/32 byte order mark: StreamReader decodes it as before.
                lines.Dispose();
                foreach (var candle in ReadDecoded(file))
                {
                    yield return candle;
                }
                continue;
            }
            var lineNumber = 0;
            while (lines.TryNext(out var start, out var length))
            {
                lineNumber++;
                var kind = KlineCsvParser.ParseUtf8(lines.Buffer.AsSpan(start, length), out var candle, out var error, out var chars);
                // Counted as StreamReader.ReadLine's characters plus one per line end, as before.
                Volatile.Write(ref _charsRead, _charsRead + chars + 1);
                if (IsCandle(kind, file.Path, lineNumber, error))
                {
                    yield return candle;
                }
            }
        }
    }

    /// <summary>The same for a file in another encoding, read line by line through StreamReader.</summary>
    private IEnumerable<Candle> ReadDecoded(KlineFile file)
    {
        using var reader = new StreamReader(file.Path);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            Volatile.Write(ref _charsRead, _charsRead + line.Length + 1);
            if (IsCandle(KlineCsvParser.Parse(line, out var candle, out var error), file.Path, lineNumber, error))
            {
                yield return candle;
            }
        }
    }

    /// <summary>True for a candle; a header on the first line and blank lines are skipped, anything else is reported.</summary>
    private bool IsCandle(KlineLineKind kind, string file, int lineNumber, string? error)
    {
        switch (kind)
        {
            case KlineLineKind.Candle:
                return true;
            case KlineLineKind.Header when lineNumber == 1:
            case KlineLineKind.Blank:
                return false;
            case KlineLineKind.Header:
                Report(file, lineNumber, "header row after the first line");
                return false;
            default:
                Report(file, lineNumber, error ?? "malformed row");
                return false;
        }
    }

    private void Report(string file, int line, string reason)
    {
        Interlocked.Increment(ref _malformed);
        _onError?.Invoke(new KlineReadError(file, line, reason));
    }
}
