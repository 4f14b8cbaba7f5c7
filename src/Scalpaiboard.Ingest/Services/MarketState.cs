using System.Collections.Concurrent;

namespace Scalpaiboard.Ingest.Services;

/// <summary>All symbols' in-memory state, the source of the API's latest values and of live fan-out.</summary>
public sealed class MarketState
{
    private readonly ConcurrentDictionary<string, SymbolState> _symbols = new(StringComparer.Ordinal);
    private volatile SymbolState[] _ordered = [];

    public SymbolState GetOrAdd(string symbol)
    {
        if (_symbols.TryGetValue(symbol, out var s))
        {
            return s;
        }
        s = _symbols.GetOrAdd(symbol, static k => new SymbolState(k));
        lock (_symbols)
        {
            _ordered = _symbols.Values.OrderBy(x => x.Symbol, StringComparer.Ordinal).ToArray();
        }
        Touch();
        return s;
    }

    private long _version;

    /// <summary>Changes whenever a symbol's candles or metrics change (see <see cref="Touch"/>).</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Called after every change of a symbol's state that the screener shows.</summary>
    public void Touch() => Interlocked.Increment(ref _version);

    public bool TryGet(string symbol, out SymbolState state) => _symbols.TryGetValue(symbol, out state!);

    /// <summary>Every known symbol, in name order.</summary>
    public IReadOnlyList<SymbolState> All => _ordered;

    /// <summary>Symbols whose order book a client asked for recently (Unix ms of the last request).</summary>
    public ConcurrentDictionary<string, long> WatchedBooks { get; } = new(StringComparer.Ordinal);
}
