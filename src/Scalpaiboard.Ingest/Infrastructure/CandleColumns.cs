using Npgsql;
using Scalpaiboard.Market;

namespace Scalpaiboard.Ingest.Infrastructure;

/// <summary>
/// The candle columns that <c>ingest.candles_1m</c> and <c>ingest.bars</c> share, in one order: their names, the
/// upsert's SET list, their binary COPY encoding, and a <see cref="Candle"/> read back from them.
/// </summary>
internal static class CandleColumns
{
    public const string Names = "open_time, open, high, low, close, volume, quote_volume, trades, taker_buy_volume, taker_buy_quote_volume";

    /// <summary>What an upsert replaces when the key exists (everything but the key).</summary>
    public const string UpdateSet = """
        open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
        volume = EXCLUDED.volume, quote_volume = EXCLUDED.quote_volume, trades = EXCLUDED.trades,
        taker_buy_volume = EXCLUDED.taker_buy_volume, taker_buy_quote_volume = EXCLUDED.taker_buy_quote_volume
        """;

    /// <summary>How many columns <see cref="Names"/> lists.</summary>
    public const short Count = 10;

    /// <summary>The bytes <see cref="Write"/> writes: every column is a bigint or a double precision.</summary>
    public const int BinarySize = Count * BinaryCopyWriter.Int64FieldSize;

    /// <summary>
    /// Writes the candle's values as binary COPY fields, in <see cref="Names"/> order, into
    /// <paramref name="destination"/> (at least <see cref="BinarySize"/> bytes); returns the bytes written. Doubles
    /// go bit for bit, non-finite ones included: PostgreSQL's double precision holds NaN and the infinities, and a
    /// candle that carries one (the CSV parser rejects them, a Binance kline could still say "NaN") is stored as it
    /// is, as the parameter-bound COPY stored it before.
    /// </summary>
    public static int Write(Span<byte> destination, in Candle c)
    {
        var d = destination[..BinarySize];
        var n = BinaryCopyWriter.WriteInt64(d, c.OpenTime);
        n += BinaryCopyWriter.WriteDouble(d[n..], c.Open);
        n += BinaryCopyWriter.WriteDouble(d[n..], c.High);
        n += BinaryCopyWriter.WriteDouble(d[n..], c.Low);
        n += BinaryCopyWriter.WriteDouble(d[n..], c.Close);
        n += BinaryCopyWriter.WriteDouble(d[n..], c.Volume);
        n += BinaryCopyWriter.WriteDouble(d[n..], c.QuoteVolume);
        n += BinaryCopyWriter.WriteInt64(d[n..], c.Trades);
        n += BinaryCopyWriter.WriteDouble(d[n..], c.TakerBuyVolume);
        n += BinaryCopyWriter.WriteDouble(d[n..], c.TakerBuyQuoteVolume);
        return n;
    }

    /// <summary>The candle in the row's columns <paramref name="first"/> onwards, in <see cref="Names"/> order.</summary>
    public static Candle Read(NpgsqlDataReader r, int first) => new(
        r.GetInt64(first), r.GetDouble(first + 1), r.GetDouble(first + 2), r.GetDouble(first + 3), r.GetDouble(first + 4),
        r.GetDouble(first + 5), r.GetDouble(first + 6), r.GetInt64(first + 7), r.GetDouble(first + 8), r.GetDouble(first + 9));
}
