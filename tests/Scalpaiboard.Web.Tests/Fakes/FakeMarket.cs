using System.Globalization;

namespace Scalpaiboard.Web.Tests.Fakes;

/// <summary>Deterministic market data for the fake Gateway: symbols with every screener field, candles and books.</summary>
public sealed class FakeMarket
{
    private static readonly string[] Known =
    [
        "BTC", "ETH", "SOL", "BNB", "XRP", "DOGE", "ADA", "AVAX", "LINK", "DOT", "TRX", "MATIC", "LTC", "BCH", "NEAR", "UNI", "ATOM",
        "APT", "ARB", "OP", "FIL", "ETC", "INJ", "SUI", "SEI", "TIA", "AAVE", "MKR", "LDO", "RNDR", "IMX", "STX", "HBAR", "ICP",
        "VET", "ALGO", "SAND", "MANA", "AXS", "GALA", "FTM", "RUNE", "KAS", "WLD", "PEPE", "SHIB", "FET", "GRT", "CRV", "DYDX",
    ];

    public static readonly string[] Windows = ["5m", "15m", "1h", "4h", "8h", "1d"];

    public static readonly Dictionary<string, long> TimeframeMs = new()
    {
        ["1m"] = 60_000, ["5m"] = 300_000, ["15m"] = 900_000, ["1h"] = 3_600_000, ["4h"] = 14_400_000, ["8h"] = 28_800_000, ["1d"] = 86_400_000,
    };

    private readonly object _gate = new();
    private long _tick;

    public FakeMarket(int count = 50)
    {
        for (var i = 0; i < count; i++)
        {
            var name = (i < Known.Length ? Known[i] : "ALT" + i.ToString(CultureInfo.InvariantCulture)) + "USDT";
            Coins.Add(Generate(name, i));
        }
    }

    public List<Dictionary<string, object?>> Coins { get; } = [];

    public Dictionary<string, object?>? Find(string symbol) => Coins.FirstOrDefault(c => (string)c["symbol"]! == symbol);

    /// <summary>A distinct value per symbol and field: the screener's sort order is checkable.</summary>
    private static Dictionary<string, object?> Generate(string symbol, int i)
    {
        var price = i switch { 0 => 65000.0, 1 => 3400.0, 2 => 150.0, _ => Math.Round(0.05 + (i * 7919 % 1000) / 7.0, 4) };
        var d = new Dictionary<string, object?> { ["symbol"] = symbol, ["price"] = price, ["openTime"] = 1_700_000_000_000L };
        for (var w = 0; w < Windows.Length; w++)
        {
            d["change_" + Windows[w]] = Math.Round(((i * 37 + w * 11) % 41 - 20) / 4.0 + i * 0.001, 3);
            d["quoteVolume_" + Windows[w]] = Math.Round((1 + (i * 53 % 97)) * 10_000.0 * (w + 1) * (w + 1), 0);
        }
        d["high_1d"] = price * 1.05;
        d["low_1d"] = price * 0.95;
        d["trades_1d"] = 1000.0 + i * 37;
        d["baseVolume_1d"] = 5000.0 + i;
        d["rsi14_15m"] = 30 + i % 40;
        d["rsi14_1h"] = Math.Round(20 + (i * 13 % 60) + i * 0.01, 2);
        d["rsi14_4h"] = 45.0 + i % 10;
        d["macd_1h"] = (i % 7 - 3) * 0.1;
        d["macdSignal_1h"] = (i % 5 - 2) * 0.1;
        d["macdHistogram_1h"] = (i % 9 - 4) * 0.01;
        d["bbPercentB_1h"] = (i % 11) / 10.0;
        d["bbWidth_1h"] = 0.02 + i * 0.001;
        d["atrPercent_1h"] = 0.5 + i % 6 * 0.1;
        d["vcp_1h"] = (i % 13 - 6) * 0.05;
        d["sma20_1h"] = price * 0.99;
        d["ema20_1h"] = price * 0.995;
        d["ema50_1h"] = price * 0.98;
        d["stochK_1h"] = 10.0 + i % 80;
        d["stochD_1h"] = 12.0 + i % 70;
        d["adx14_1h"] = 15.0 + i % 30;
        d["cci20_1h"] = (i % 21 - 10) * 10.0;
        d["williamsR14_1h"] = -(i % 100);
        d["vwap_1h"] = price * 1.001;
        d["pivotPp_1h"] = price * 0.997;
        d["pivotR1_1h"] = price * 1.01;
        d["pivotS1_1h"] = price * 0.99;
        d["pivotPpDistance_1h"] = 0.3;
        d["pivotR1Distance_1h"] = -1.0;
        d["pivotS1Distance_1h"] = 1.0;
        d["signals_1h"] = (double)(i % 4);
        // The trend indicators (issue 21): SuperTrend's direction +1/-1, its band, PSAR, the channels, ROC, OBV.
        d["superTrendDirection_15m"] = i % 2 == 0 ? 1.0 : -1.0;
        d["superTrendDirection_1h"] = i % 3 == 0 ? -1.0 : 1.0;
        d["superTrendDirection_4h"] = 1.0;
        d["superTrend_1h"] = price * (i % 3 == 0 ? 1.02 : 0.98);
        d["psar_1h"] = price * 0.97;
        d["donchianUpper20_1h"] = price * 1.04;
        d["donchianLower20_1h"] = price * 0.96;
        d["keltnerUpper_1h"] = price * 1.03;
        d["keltnerLower_1h"] = price * 0.97;
        d["roc20_1h"] = (i % 9 - 4) * 1.5;
        d["obv_1h"] = (i % 5 - 2) * 125_000.0;
        // An unavailable value, as the API gives before warm-up.
        if (i == 4)
        {
            d["rsi14_4h"] = null;
        }
        AddDerivatives(d, i, price);
        return d;
    }

    /// <summary>The DERIVATIVES.md fields; symbol 6 has none (a feed without derivatives for it: every field null).</summary>
    private static void AddDerivatives(Dictionary<string, object?> d, int i, double price)
    {
        var available = i != 6;
        double? V(double v) => available ? v : null;
        var value = Math.Round((1 + i * 37 % 50) * 1_234_567.0 + i, 0);
        d["openInterestValue"] = V(value);
        d["openInterest"] = V(value / price);
        d["oiChange_1h"] = V(Math.Round(((i * 29) % 41 - 20) / 5.0 + i * 0.001, 3));
        d["oiChange_4h"] = V(Math.Round(((i * 23) % 37 - 18) / 3.0 + i * 0.001, 3));
        d["oiChange_1d"] = V(Math.Round(((i * 19) % 43 - 21) / 2.0 + i * 0.001, 3));
        d["longShortRatio"] = V(Math.Round(0.6 + (i * 17 % 30) / 20.0, 4));
        d["topTraderLongShortRatio"] = V(Math.Round(0.8 + (i * 11 % 20) / 25.0, 4));
        d["takerBuySellRatio"] = V(Math.Round(0.7 + (i * 7 % 15) / 25.0, 4));
        d["fundingRate"] = V(((i * 13) % 21 - 10) * 0.00002 + i * 1e-8);
        d["nextFundingTime"] = available ? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000 + (1 + i % 8) * 3_600_000L + i * 1000L : null;
        d["markPrice"] = V(price * 1.0001);
        foreach (var (w, scale) in new[] { ("5m", 1.0), ("1h", 12.0), ("1d", 288.0) })
        {
            d["liquidationsLong_" + w] = V(i % 3 == 0 ? 0 : Math.Round((i * 7919 % 500) * 100.0 * scale, 0));
            d["liquidationsShort_" + w] = V(i % 4 == 0 ? 0 : Math.Round((i * 104_729 % 400) * 100.0 * scale, 0));
        }
    }

    /// <summary>
    /// <c>GET /api/coins/{symbol}/derivatives</c>: 5-minute samples in [from, to] (to capped at now), oldest first,
    /// at most 3000; a deterministic function of the time, with liquidations in every third window.
    /// </summary>
    public object Derivatives(string symbol, long? from, long? to)
    {
        const long step = 300_000;
        var coin = Find(symbol)!;
        var upper = Math.Min(to ?? long.MaxValue, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var lower = from ?? upper - 86_400_000;
        var points = new List<object>();
        if (coin["openInterestValue"] is double value && coin["fundingRate"] is double rate)
        {
            for (var t = (lower + step - 1) / step * step; t <= upper && points.Count < 3000; t += step)
            {
                var k = t / step;
                var liquidating = k % 3 == 0;
                points.Add(new
                {
                    time = t,
                    openInterestValue = value * (1 + 0.04 * Math.Sin(k / 20.0)),
                    fundingRate = rate / 4 + 0.00015 * Math.Sin(k / 8.0),
                    longShortRatio = 1 + 0.2 * Math.Cos(k / 25.0),
                    liquidationsLong = liquidating ? (double?)(1000 + k % 7 * 5000) : 0,
                    liquidationsShort = liquidating && k % 2 == 0 ? (double?)(2000 + k % 5 * 8000) : 0,
                });
            }
        }
        return new { symbol, points };
    }

    public static double Num(Dictionary<string, object?> coin, string key) => coin.TryGetValue(key, out var v) && v is not null ? Convert.ToDouble(v, CultureInfo.InvariantCulture) : double.NaN;

    /// <summary>Candles ending at the current bar, a deterministic walk that ends at the coin's price.</summary>
    public List<object> Candles(string symbol, string timeframe, int limit)
    {
        var coin = Find(symbol)!;
        var price = Num(coin, "price");
        var step = TimeframeMs[timeframe];
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var last = now / step * step;
        var list = new List<object>(limit);
        var rng = new Random(symbol.GetHashCode(StringComparison.Ordinal) ^ timeframe.Length);
        var close = price;
        var bars = new List<(long T, double O, double H, double L, double C, double V)>();
        for (var k = 0; k < limit; k++)
        {
            var open = close * (1 + (rng.NextDouble() - 0.5) * 0.01);
            var high = Math.Max(open, close) * (1 + rng.NextDouble() * 0.004);
            var low = Math.Min(open, close) * (1 - rng.NextDouble() * 0.004);
            bars.Add((last - k * step, open, high, low, close, 100 + rng.NextDouble() * 900));
            close = open;
        }
        bars.Reverse();
        foreach (var b in bars)
        {
            list.Add(new { openTime = b.T, open = b.O, high = b.H, low = b.L, close = b.C, volume = b.V, quoteVolume = b.V * b.C, trades = 100 });
        }
        return list;
    }

    /// <summary>The forming bar after <paramref name="n"/> live ticks: the close moves every tick.</summary>
    public object LiveCandle(string symbol, string timeframe)
    {
        long n;
        lock (_gate)
        {
            n = ++_tick;
        }
        var price = Num(Find(symbol)!, "price");
        var step = TimeframeMs[timeframe];
        var t = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / step * step;
        var close = price * (1 + Math.Sin(n / 3.0) * 0.003 + n * 0.0001);
        return new
        {
            symbol, timeframe, closed = false,
            candle = new { openTime = t, open = price, high = Math.Max(price, close) * 1.001, low = Math.Min(price, close) * 0.999, close, volume = 10.0 + n, quoteVolume = (10.0 + n) * close, trades = n },
        };
    }

    public object OrderBook(string symbol, int depth)
    {
        long n;
        lock (_gate)
        {
            n = ++_tick;
        }
        var price = Num(Find(symbol)!, "price");
        var step = price * 0.0005;
        var mid = price * (1 + Math.Sin(n / 5.0) * 0.001);
        var bids = new List<double[]>();
        var asks = new List<double[]>();
        for (var k = 1; k <= depth; k++)
        {
            bids.Add([mid - k * step, 1 + (k * 7 + n) % 13 + (k % 17 == 0 ? 40 : 0)]);
            asks.Add([mid + k * step, 1 + (k * 5 + n) % 11 + (k % 19 == 0 ? 40 : 0)]);
        }
        return new { symbol, time = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), bucket = (double?)null, synthetic = true, bids, asks };
    }

    public object Metrics(string symbol)
    {
        var coin = Find(symbol)!;
        var windows = Windows.ToDictionary(w => w, w => new
        {
            change = Num(coin, "change_" + w), quoteVolume = Num(coin, "quoteVolume_" + w), baseVolume = 1000.0,
            open = Num(coin, "price") * 0.99, high = Num(coin, "price") * 1.02, low = Num(coin, "price") * 0.97, trades = 500.0,
        });
        var indicators = TimeframeMs.Keys.ToDictionary(tf => tf, tf => new Dictionary<string, double?>
        {
            ["sma20"] = Num(coin, "sma20_1h"), ["ema20"] = Num(coin, "ema20_1h"), ["ema50"] = Num(coin, "ema50_1h"),
            ["rsi14"] = Num(coin, "rsi14_1h"), ["macd"] = Num(coin, "macd_1h"), ["macdSignal"] = Num(coin, "macdSignal_1h"),
            ["macdHistogram"] = Num(coin, "macdHistogram_1h"), ["bbPercentB"] = Num(coin, "bbPercentB_1h"), ["atrPercent"] = Num(coin, "atrPercent_1h"),
            ["vcp"] = tf == "1d" ? null : Num(coin, "vcp_1h"),
        });
        return new { symbol, openTime = 1_700_000_000_000L, price = Num(coin, "price"), windows, indicators, presets = Array.Empty<string>() };
    }
}
