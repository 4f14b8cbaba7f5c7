using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Scalpaiboard.Ingest.Model;

namespace Scalpaiboard.Ingest.Services;

/// <summary>
/// The screener's rows (<see cref="CoinFields"/> of every symbol) as of the latest state change, shared by all
/// <c>/api/coins</c> requests: read once per change of <see cref="MarketState.Version"/> (not per request), each
/// sort order computed once per version, each row's JSON written once per version (on first use), each distinct
/// query's whole response written once per version (<see cref="Snapshot.Responses"/>).
/// </summary>
public sealed class CoinTable(MarketState state)
{
    private readonly Lock _gate = new();
    private Snapshot? _current;

    public Snapshot Current()
    {
        var version = state.Version;
        var current = _current;
        if (current is not null && current.Version == version)
        {
            return current;
        }
        lock (_gate)
        {
            current = _current;
            if (current is not null && current.Version == version)
            {
                return current;
            }
            var symbols = state.All;
            var rows = new CoinRow[symbols.Count];
            for (var i = 0; i < rows.Length; i++)
            {
                var s = symbols[i];
                lock (s.Gate)
                {
                    rows[i] = new CoinRow(s.Symbol, CoinFields.Read(s));
                }
            }
            // Stamped with the version read before reading the rows: a change meanwhile makes the next call rebuild.
            _current = current = new Snapshot(version, rows);
            return current;
        }
    }

    public sealed class Snapshot(long version, CoinRow[] rows)
    {
        private readonly ConcurrentDictionary<(int Field, bool Descending), CoinRow[]> _sorted = new();

        public long Version { get; } = version;

        /// <summary>Whole <c>/api/coins</c> responses computed from this snapshot, by query.</summary>
        public CoinsResponseCache Responses { get; } = new();

        /// <summary>In symbol order.</summary>
        public CoinRow[] Rows { get; } = rows;

        /// <summary>The rows sorted by a field (-1: symbol), unavailable values last whatever the order, then by symbol.</summary>
        public CoinRow[] Sorted(int field, bool descending) => _sorted.GetOrAdd((field, descending), static (key, rows) =>
        {
            var sorted = (CoinRow[])rows.Clone();
            Array.Sort(sorted, (a, b) => Compare(a, b, key.Field, key.Descending));
            return sorted;
        }, Rows);

        private static int Compare(CoinRow a, CoinRow b, int sortField, bool descending)
        {
            if (sortField < 0)
            {
                var c = string.CompareOrdinal(a.Symbol, b.Symbol);
                return descending ? -c : c;
            }
            var x = a.Values[sortField];
            var y = b.Values[sortField];
            var xn = !double.IsFinite(x);
            var yn = !double.IsFinite(y);
            if (xn || yn)
            {
                return xn == yn ? string.CompareOrdinal(a.Symbol, b.Symbol) : xn ? 1 : -1;
            }
            var r = descending ? y.CompareTo(x) : x.CompareTo(y);
            return r != 0 ? r : string.CompareOrdinal(a.Symbol, b.Symbol);
        }
    }
}

/// <summary>
/// One screener row: <c>{"symbol": .., "&lt;field&gt;": number or null, ...}</c> in <see cref="CoinFields"/> order
/// (what serializing <see cref="CoinFields.ToJson"/> gives), written once and then copied into every response.
/// </summary>
[JsonConverter(typeof(CoinRowConverter))]
public sealed class CoinRow(string symbol, double[] values)
{
    private static readonly byte[][] Names = CoinFields.Names
        .Select(n => System.Text.Encoding.UTF8.GetBytes(",\"" + JsonEncodedText.Encode(n).Value + "\":")).ToArray();

    private byte[]? _json;

    public string Symbol { get; } = symbol;

    public double[] Values { get; } = values;

    public byte[] Json => _json ??= Write();

    private byte[] Write()
    {
        using var o = new JsonBuffer(2048);
        o.Write("{\"symbol\":"u8);
        o.Write(JsonSerializer.SerializeToUtf8Bytes(Symbol));
        for (var i = 0; i < Values.Length; i++)
        {
            o.Write(Names[i]);
            o.WriteNumber(Values[i]);
        }
        o.Write("}"u8);
        return o.WrittenSpan.ToArray();
    }
}

public sealed class CoinRowConverter : JsonConverter<CoinRow>
{
    public override CoinRow Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("CoinRow is written only.");

    public override void Write(Utf8JsonWriter writer, CoinRow value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Json, skipInputValidation: true);
}
