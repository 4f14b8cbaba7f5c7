using System.Globalization;
using Scalpaiboard.Market.Indicators;

namespace Scalpaiboard.Market.Tests.Indicators;

/// <summary>The reference library's own standard data sets (copied from ../shared/data into Indicators/Data).</summary>
public static class TestQuotes
{
    private static readonly Lazy<Quote[]> DefaultQuotes = new(() => Load("quotes_default.csv"));
    private static readonly Lazy<Quote[]> IntradayQuotes = new(() => Load("quotes_intraday.csv"));

    /// <summary>502 daily bars, 2017-01-03 .. 2018-12-31.</summary>
    public static Quote[] Default => DefaultQuotes.Value;

    /// <summary>1564 one-minute bars from 2020-12-15.</summary>
    public static Quote[] Intraday => IntradayQuotes.Value;

    public static string PathOf(string file)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Scalpaiboard.Market.Tests", "Indicators", "Data", file);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"test data {file} not found above {AppContext.BaseDirectory}");
    }

    private static Quote[] Load(string file)
    {
        var lines = File.ReadAllLines(PathOf(file));
        var quotes = new Quote[lines.Length - 1];
        for (var i = 1; i < lines.Length; i++)
        {
            var f = lines[i].Split(',');
            quotes[i - 1] = new Quote(
                DateTime.Parse(f[0], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
                double.Parse(f[1], CultureInfo.InvariantCulture),
                double.Parse(f[2], CultureInfo.InvariantCulture),
                double.Parse(f[3], CultureInfo.InvariantCulture),
                double.Parse(f[4], CultureInfo.InvariantCulture),
                double.Parse(f[5], CultureInfo.InvariantCulture));
        }

        return quotes;
    }
}

public enum Form
{
    Batch,
    Streaming,
}

public delegate T BarStep<T>(in Quote quote);

internal static class Run
{
    /// <summary>The batch result, or the streaming one bar by bar through <paramref name="add"/>.</summary>
    public static T[] Results<T>(Form form, IReadOnlyList<Quote> quotes, Func<IReadOnlyList<Quote>, T[]> batch, Func<BarStep<T>> streaming)
    {
        if (form == Form.Batch)
        {
            return batch(quotes);
        }

        var add = streaming();
        var results = new T[quotes.Count];
        for (var i = 0; i < quotes.Count; i++)
        {
            results[i] = add(quotes[i]);
        }

        return results;
    }

    public static void Near(double expected, double? actual, int digits)
    {
        Assert.True(actual.HasValue, $"expected {expected}, got null");
        // Rounded like the reference's Math.Round((decimal)x, digits): the double's 15 significant digits, half to even.
        Assert.Equal((decimal)expected, Math.Round((decimal)actual!.Value, digits));
    }
}
