using System.Globalization;

namespace Scalpaiboard.Ingest.Tests;

/// <summary>A straightforward reading of the sample CSVs, independent of the service's code, as the oracle.</summary>
public sealed record Kline(string Symbol, long OpenTime, double Open, double High, double Low, double Close, double Volume, double QuoteVolume, long Trades,
    double TakerBuyVolume = 0, double TakerBuyQuoteVolume = 0);

public static class SampleKlines
{
    public static List<Kline> Load(string folder)
    {
        var list = new List<Kline>();
        foreach (var file in Directory.GetFiles(folder, "*.csv").Order(StringComparer.Ordinal))
        {
            var symbol = Path.GetFileName(file).Split('-')[0];
            foreach (var line in File.ReadLines(file))
            {
                if (line.Length == 0 || !char.IsAsciiDigit(line[0]))
                {
                    continue;
                }
                var p = line.Split(',');
                double D(int i) => double.Parse(p[i], CultureInfo.InvariantCulture);
                list.Add(new Kline(symbol, long.Parse(p[0], CultureInfo.InvariantCulture), D(1), D(2), D(3), D(4), D(5), D(7),
                    long.Parse(p[8], CultureInfo.InvariantCulture), D(9), D(10)));
            }
        }
        return list;
    }

    /// <summary>UTC-aligned bars of <paramref name="minutes"/> for one symbol, oldest first.</summary>
    public static List<Kline> Aggregate(IEnumerable<Kline> klines, string symbol, int minutes)
    {
        var ms = minutes * 60_000L;
        return klines.Where(k => k.Symbol == symbol).OrderBy(k => k.OpenTime)
            .GroupBy(k => k.OpenTime - k.OpenTime % ms)
            .Select(g => new Kline(symbol, g.Key, g.First().Open, g.Max(k => k.High), g.Min(k => k.Low), g.Last().Close,
                g.Sum(k => k.Volume), g.Sum(k => k.QuoteVolume), g.Sum(k => k.Trades)))
            .ToList();
    }

    public static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Abs(b));
}
