using System.Buffers;
using System.Text.Json;
using Scalpaiboard.Ingest.Model;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Indicators;
using Scalpaiboard.Market.Metrics;

namespace Scalpaiboard.Ingest.Services;

/// <summary>
/// Writes complete live WebSocket frames <c>{"type","channel","ts","data"}</c> (metrics, candles, tickers) straight
/// from the engine's state into one reused buffer: byte for byte what <see cref="JsonSerializer"/> writes for
/// <see cref="LiveFrame{T}"/> of <see cref="SymbolMetrics"/>, <see cref="LiveCandle"/> and <see cref="TickerItem"/>
/// with <see cref="IngestJson.Options"/> (camelCase, null values left out, numbers as <see cref="JsonNumber"/>), without
/// building those DTOs. Each frame is valid until the next one is written. Not thread-safe: one per publishing loop.
/// </summary>
public sealed class LiveFrameWriter : IDisposable
{
    private static readonly JsonEncodedText Type = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText Channel = JsonEncodedText.Encode("channel");
    private static readonly JsonEncodedText Ts = JsonEncodedText.Encode("ts");
    private static readonly JsonEncodedText Data = JsonEncodedText.Encode("data");
    private static readonly JsonEncodedText MetricsType = JsonEncodedText.Encode("metrics");
    private static readonly JsonEncodedText CandlesType = JsonEncodedText.Encode("candles");
    private static readonly JsonEncodedText TickersType = JsonEncodedText.Encode(Scalpaiboard.Infrastructure.Events.EventNames.Tickers);

    private static readonly JsonEncodedText Symbol = JsonEncodedText.Encode("symbol");
    private static readonly JsonEncodedText OpenTime = JsonEncodedText.Encode("openTime");
    private static readonly JsonEncodedText Price = JsonEncodedText.Encode("price");
    private static readonly JsonEncodedText PreviousPrice = JsonEncodedText.Encode("previousPrice");
    private static readonly JsonEncodedText MarketCap = JsonEncodedText.Encode("marketCap");
    private static readonly JsonEncodedText CandleName = JsonEncodedText.Encode("candle");
    private static readonly JsonEncodedText WindowsName = JsonEncodedText.Encode("windows");
    private static readonly JsonEncodedText IndicatorsName = JsonEncodedText.Encode("indicators");
    private static readonly JsonEncodedText PreviousIndicatorsName = JsonEncodedText.Encode("previousIndicators");
    private static readonly JsonEncodedText PresetsName = JsonEncodedText.Encode("presets");
    private static readonly JsonEncodedText DerivativesName = JsonEncodedText.Encode("derivatives");
    private static readonly JsonEncodedText[] DerivativeNames = [.. Market.Derivatives.DerivativesValues.Names.Select(n => JsonEncodedText.Encode(n))];
    private static readonly JsonEncodedText Timeframe = JsonEncodedText.Encode("timeframe");
    private static readonly JsonEncodedText Closed = JsonEncodedText.Encode("closed");

    private static readonly JsonEncodedText Open = JsonEncodedText.Encode("open");
    private static readonly JsonEncodedText High = JsonEncodedText.Encode("high");
    private static readonly JsonEncodedText Low = JsonEncodedText.Encode("low");
    private static readonly JsonEncodedText Close = JsonEncodedText.Encode("close");
    private static readonly JsonEncodedText Volume = JsonEncodedText.Encode("volume");
    private static readonly JsonEncodedText QuoteVolume = JsonEncodedText.Encode("quoteVolume");
    private static readonly JsonEncodedText Trades = JsonEncodedText.Encode("trades");
    private static readonly JsonEncodedText Change = JsonEncodedText.Encode("change");
    private static readonly JsonEncodedText BaseVolume = JsonEncodedText.Encode("baseVolume");

    private static readonly JsonEncodedText[] WindowNames = [.. Market.Metrics.Windows.Names.Select(n => JsonEncodedText.Encode(n))];
    private static readonly JsonEncodedText[] TimeframeNames = [.. Timeframes.Names.Select(n => JsonEncodedText.Encode(n))];

    /// <summary>The <see cref="IndicatorBlock"/> properties in declaration order, camelCased as the web defaults do.</summary>
    private static readonly JsonEncodedText[] IndicatorNames = [.. new[]
    {
        "sma20", "ema20", "ema50", "rsi14", "macd", "macdSignal", "macdHistogram", "bbUpper", "bbMiddle", "bbLower",
        "bbPercentB", "bbWidth", "atr14", "atrPercent", "stochK", "stochD", "adx14", "cci20", "williamsR14", "vwap",
        "vcp", "pivotPp", "pivotR1", "pivotS1", "roc20", "donchianUpper20", "donchianLower20", "keltnerUpper",
        "keltnerLower", "superTrend", "superTrendDirection", "psar", "obv",
    }.Select(n => JsonEncodedText.Encode(n))];

    private static readonly JsonEncodedText TickerChange5m = JsonEncodedText.Encode("change_5m");
    private static readonly JsonEncodedText TickerChange1h = JsonEncodedText.Encode("change_1h");
    private static readonly JsonEncodedText TickerChange1d = JsonEncodedText.Encode("change_1d");
    private static readonly JsonEncodedText TickerQuoteVolume1h = JsonEncodedText.Encode("quoteVolume_1h");
    private static readonly JsonEncodedText TickerQuoteVolume1d = JsonEncodedText.Encode("quoteVolume_1d");

    private readonly ArrayBufferWriter<byte> _buffer;
    private readonly Utf8JsonWriter _json;

    public LiveFrameWriter(int capacity = 16 * 1024)
    {
        _buffer = new ArrayBufferWriter<byte>(capacity);
        _json = new Utf8JsonWriter(_buffer);
    }

    /// <summary>
    /// The <c>metrics</c> frame of a symbol: its snapshot, the candle just closed and the presets that fired (what
    /// <see cref="SymbolMetrics.From"/> holds). Read the state under its lock.
    /// </summary>
    public ReadOnlyMemory<byte> Metrics(string channel, long ts, MetricsSnapshot s, in Candle candle, IReadOnlyList<string> presets)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(presets);
        var j = Start(MetricsType, channel, ts);
        j.WriteStartObject();
        j.WriteString(Symbol, s.Symbol);
        j.WriteNumber(OpenTime, s.OpenTime);
        Nullable(Price, s.Price);
        Nullable(PreviousPrice, s.PreviousPrice);
        Nullable(MarketCap, s.MarketCap);
        j.WritePropertyName(CandleName);
        WriteCandle(candle);
        j.WriteStartObject(WindowsName);
        for (var w = 0; w < Market.Metrics.Windows.Count; w++)
        {
            j.WriteStartObject(WindowNames[w]);
            Nullable(Change, s.Change[w]);
            Nullable(QuoteVolume, s.QuoteVolume[w]);
            Nullable(BaseVolume, s.BaseVolume[w]);
            Nullable(Open, s.Open[w]);
            Nullable(High, s.High[w]);
            Nullable(Low, s.Low[w]);
            Nullable(Trades, s.Trades[w]);
            j.WriteEndObject();
        }
        j.WriteEndObject();
        WriteIndicators(IndicatorsName, s.Indicators);
        WriteIndicators(PreviousIndicatorsName, s.PreviousIndicators);
        j.WriteStartObject(DerivativesName);
        var derivatives = s.Derivatives.AsSpan();
        for (var i = 0; i < derivatives.Length; i++)
        {
            Nullable(DerivativeNames[i], derivatives[i]);
        }
        j.WriteEndObject();
        j.WriteStartArray(PresetsName);
        for (var i = 0; i < presets.Count; i++)
        {
            j.WriteStringValue(presets[i]);
        }
        j.WriteEndArray();
        j.WriteEndObject();
        return End();
    }

    /// <summary>The <c>candles</c> frame of one bar (<see cref="LiveCandle"/>).</summary>
    public ReadOnlyMemory<byte> Candles(string channel, long ts, string symbol, string timeframe, bool closed, in Candle bar)
    {
        var j = Start(CandlesType, channel, ts);
        j.WriteStartObject();
        j.WriteString(Symbol, symbol);
        j.WriteString(Timeframe, timeframe);
        j.WriteBoolean(Closed, closed);
        j.WritePropertyName(CandleName);
        WriteCandle(bar);
        j.WriteEndObject();
        return End();
    }

    /// <summary>
    /// The <c>tickers</c> frame: one <see cref="TickerItem"/> per symbol, read from each symbol's state under its lock
    /// (<see cref="LivePublisher.Ticker"/>).
    /// </summary>
    public ReadOnlyMemory<byte> Tickers(long ts, IReadOnlyList<SymbolState> symbols)
    {
        var j = Start(TickersType, Scalpaiboard.Infrastructure.Events.EventNames.Tickers, ts);
        j.WriteStartArray();
        foreach (var s in symbols)
        {
            LivePublisher.TickerValues t;
            lock (s.Gate)
            {
                t = LivePublisher.Ticker(s);
            }
            j.WriteStartObject();
            j.WriteString(Symbol, s.Symbol);
            Nullable(Price, t.Price);
            Nullable(TickerChange5m, t.Change5m);
            Nullable(TickerChange1h, t.Change1h);
            Nullable(TickerChange1d, t.Change1d);
            Nullable(TickerQuoteVolume1h, t.QuoteVolume1h);
            Nullable(TickerQuoteVolume1d, t.QuoteVolume1d);
            j.WriteEndObject();
        }
        j.WriteEndArray();
        return End();
    }

    public void Dispose() => _json.Dispose();

    private Utf8JsonWriter Start(JsonEncodedText type, string channel, long ts)
    {
        _buffer.ResetWrittenCount();
        _json.Reset();
        _json.WriteStartObject();
        _json.WriteString(Type, type);
        _json.WriteString(Channel, channel);
        _json.WriteNumber(Ts, ts);
        _json.WritePropertyName(Data);
        return _json;
    }

    private ReadOnlyMemory<byte> End()
    {
        _json.WriteEndObject();
        _json.Flush();
        return _buffer.WrittenMemory;
    }

    private void WriteIndicators(JsonEncodedText name, IndicatorValues[] all)
    {
        _json.WriteStartObject(name);
        for (var t = 0; t < Timeframes.Count; t++)
        {
            ref readonly var v = ref all[t];
            _json.WriteStartObject(TimeframeNames[t]);
            Nullable(IndicatorNames[0], v.Sma20);
            Nullable(IndicatorNames[1], v.Ema20);
            Nullable(IndicatorNames[2], v.Ema50);
            Nullable(IndicatorNames[3], v.Rsi14);
            Nullable(IndicatorNames[4], v.Macd);
            Nullable(IndicatorNames[5], v.MacdSignal);
            Nullable(IndicatorNames[6], v.MacdHistogram);
            Nullable(IndicatorNames[7], v.BbUpper);
            Nullable(IndicatorNames[8], v.BbMiddle);
            Nullable(IndicatorNames[9], v.BbLower);
            Nullable(IndicatorNames[10], v.BbPercentB);
            Nullable(IndicatorNames[11], v.BbWidth);
            Nullable(IndicatorNames[12], v.Atr14);
            Nullable(IndicatorNames[13], v.AtrPercent);
            Nullable(IndicatorNames[14], v.StochK);
            Nullable(IndicatorNames[15], v.StochD);
            Nullable(IndicatorNames[16], v.Adx14);
            Nullable(IndicatorNames[17], v.Cci20);
            Nullable(IndicatorNames[18], v.WilliamsR14);
            Nullable(IndicatorNames[19], v.Vwap);
            Nullable(IndicatorNames[20], v.Vcp);
            Nullable(IndicatorNames[21], v.PivotPp);
            Nullable(IndicatorNames[22], v.PivotR1);
            Nullable(IndicatorNames[23], v.PivotS1);
            Nullable(IndicatorNames[24], v.Roc20);
            Nullable(IndicatorNames[25], v.DonchianUpper20);
            Nullable(IndicatorNames[26], v.DonchianLower20);
            Nullable(IndicatorNames[27], v.KeltnerUpper);
            Nullable(IndicatorNames[28], v.KeltnerLower);
            Nullable(IndicatorNames[29], v.SuperTrend);
            Nullable(IndicatorNames[30], v.SuperTrendDirection);
            Nullable(IndicatorNames[31], v.Psar);
            Nullable(IndicatorNames[32], v.Obv);
            _json.WriteEndObject();
        }
        _json.WriteEndObject();
    }

    /// <summary><see cref="CandleDto"/>: every value present (a candle's values are always finite).</summary>
    private void WriteCandle(in Candle c)
    {
        _json.WriteStartObject();
        _json.WriteNumber(OpenTime, c.OpenTime);
        Number(Open, c.Open);
        Number(High, c.High);
        Number(Low, c.Low);
        Number(Close, c.Close);
        Number(Volume, c.Volume);
        Number(QuoteVolume, c.QuoteVolume);
        _json.WriteNumber(Trades, c.Trades);
        _json.WriteEndObject();
    }

    /// <summary>A <c>double?</c> property: left out when the engine's value is unavailable (not finite).</summary>
    private void Nullable(JsonEncodedText name, double value)
    {
        if (double.IsFinite(value))
        {
            Number(name, value);
        }
    }

    private void Number(JsonEncodedText name, double value)
    {
        if (!double.IsFinite(value))
        {
            _json.WriteNumber(name, value); // throws, as the serializer does for a non-finite double
            return;
        }
        Span<byte> digits = stackalloc byte[JsonNumber.MaxLength];
        var length = JsonNumber.Format(value, digits);
        _json.WritePropertyName(name);
        _json.WriteRawValue(digits[..length], skipInputValidation: true);
    }
}
