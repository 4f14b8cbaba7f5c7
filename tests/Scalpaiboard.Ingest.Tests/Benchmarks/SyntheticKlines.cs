using System.Globalization;
using System.Text;

namespace Scalpaiboard.Ingest.Tests.Benchmarks;

/// <summary>
/// Writes a seeded synthetic market as Binance public-data 1m kline CSVs (one file per symbol and day, with a
/// header), for replay benchmarks larger than the 12-symbol sample. Cached in the temp folder by its shape.
/// </summary>
public static class SyntheticKlines
{
    public static string Folder(int symbols, int days)
    {
        var folder = Path.Combine(Path.GetTempPath(), "scalpaiboard-bench", $"klines-{symbols}x{days}d");
        if (File.Exists(Path.Combine(folder, ".complete")))
        {
            return folder;
        }
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
        Directory.CreateDirectory(folder);
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        for (var s = 0; s < symbols; s++)
        {
            var symbol = $"S{s:D4}USDT";
            var random = new Random(1000 + s);
            var price = 1 + random.NextDouble() * 500;
            for (var d = 0; d < days; d++)
            {
                var day = start + d * 86_400_000L;
                var sb = new StringBuilder("open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore\n");
                for (var m = 0; m < 1440; m++)
                {
                    var open = price;
                    var close = Math.Max(0.0001, open * (1 + (random.NextDouble() - 0.5) * 0.004));
                    var high = Math.Max(open, close) * (1 + random.NextDouble() * 0.001);
                    var low = Math.Min(open, close) * (1 - random.NextDouble() * 0.001);
                    var volume = Math.Round(10 + random.NextDouble() * 1000, 3);
                    var quote = Math.Round(volume * (open + close) / 2, 4);
                    var t = day + m * 60_000L;
                    sb.Append(CultureInfo.InvariantCulture, $"{t},{open:0.####},{high:0.####},{low:0.####},{close:0.####},{volume},{t + 59_999},{quote},{random.Next(1, 500)},{Math.Round(volume / 2, 3)},{Math.Round(quote / 2, 4)},0\n");
                    price = double.Parse(close.ToString("0.####", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
                }
                File.WriteAllText(Path.Combine(folder, $"{symbol}-1m-{DateTimeOffset.FromUnixTimeMilliseconds(day):yyyy-MM-dd}.csv"), sb.ToString());
            }
        }
        File.WriteAllText(Path.Combine(folder, ".complete"), "");
        return folder;
    }
}
