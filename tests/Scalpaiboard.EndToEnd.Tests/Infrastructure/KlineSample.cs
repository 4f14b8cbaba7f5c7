using System.Globalization;

namespace Scalpaiboard.EndToEnd.Tests.Infrastructure;

public sealed record Kline(long OpenTime, double Open, double High, double Low, double Close, double Volume, double QuoteVolume, long Trades);

/// <summary>The replayed files (Binance public-data 1m klines, SYMBOL-1m-YYYY-MM-DD.csv), read independently of the product.</summary>
public sealed class KlineSample
{
    private KlineSample(IReadOnlyDictionary<string, IReadOnlyList<Kline>> bySymbol) => BySymbol = bySymbol;

    public IReadOnlyDictionary<string, IReadOnlyList<Kline>> BySymbol { get; }

    public IReadOnlyList<string> Symbols => [.. BySymbol.Keys.Order(StringComparer.Ordinal)];

    public long RowCount => BySymbol.Values.Sum(k => (long)k.Count);

    public static KlineSample Load(string folder)
    {
        var rows = new Dictionary<string, List<Kline>>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.csv"))
        {
            var symbol = Path.GetFileName(file).Split('-')[0];
            var list = rows.TryGetValue(symbol, out var l) ? l : rows[symbol] = [];
            foreach (var line in File.ReadLines(file))
            {
                if (line.Length == 0 || !char.IsAsciiDigit(line[0]))
                {
                    continue; // header
                }
                var f = line.Split(',');
                list.Add(new Kline(long.Parse(f[0], CultureInfo.InvariantCulture), D(f[1]), D(f[2]), D(f[3]), D(f[4]), D(f[5]), D(f[7]),
                    long.Parse(f[8], CultureInfo.InvariantCulture)));
            }
        }
        return new KlineSample(rows.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<Kline>)[.. kv.Value.OrderBy(k => k.OpenTime)]));
    }

    /// <summary>UTC-aligned bars of <paramref name="minutes"/> from the 1m rows: first open, max high, min low, last close, sums.</summary>
    public IReadOnlyList<Kline> Aggregate(string symbol, int minutes)
    {
        var span = minutes * 60_000L;
        return [.. BySymbol[symbol]
            .GroupBy(k => k.OpenTime - k.OpenTime % span)
            .OrderBy(g => g.Key)
            .Select(g => new Kline(g.Key, g.First().Open, g.Max(k => k.High), g.Min(k => k.Low), g.Last().Close,
                g.Sum(k => k.Volume), g.Sum(k => k.QuoteVolume), g.Sum(k => k.Trades)))];
    }

    private static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);
}
