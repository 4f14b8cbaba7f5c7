using Npgsql;
using NpgsqlTypes;
using Scalpaiboard.Market;

namespace Scalpaiboard.Ingest.Infrastructure;

/// <summary>
/// The candle columns that <c>ingest.candles_1m</c> and <c>ingest.bars</c> share, in one order: their names, the
/// upsert's SET list, one binary COPY row's values, and a <see cref="Candle"/> read back from them.
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

    /// <summary>Writes the candle's values into the current COPY row, in <see cref="Names"/> order.</summary>
    public static async Task WriteAsync(NpgsqlBinaryImporter writer, Candle c, CancellationToken cancellationToken)
    {
        await writer.WriteAsync(c.OpenTime, NpgsqlDbType.Bigint, cancellationToken);
        await writer.WriteAsync(c.Open, NpgsqlDbType.Double, cancellationToken);
        await writer.WriteAsync(c.High, NpgsqlDbType.Double, cancellationToken);
        await writer.WriteAsync(c.Low, NpgsqlDbType.Double, cancellationToken);
        await writer.WriteAsync(c.Close, NpgsqlDbType.Double, cancellationToken);
        await writer.WriteAsync(c.Volume, NpgsqlDbType.Double, cancellationToken);
        await writer.WriteAsync(c.QuoteVolume, NpgsqlDbType.Double, cancellationToken);
        await writer.WriteAsync(c.Trades, NpgsqlDbType.Bigint, cancellationToken);
        await writer.WriteAsync(c.TakerBuyVolume, NpgsqlDbType.Double, cancellationToken);
        await writer.WriteAsync(c.TakerBuyQuoteVolume, NpgsqlDbType.Double, cancellationToken);
    }

    /// <summary>The candle in the row's columns <paramref name="first"/> onwards, in <see cref="Names"/> order.</summary>
    public static Candle Read(NpgsqlDataReader r, int first) => new(
        r.GetInt64(first), r.GetDouble(first + 1), r.GetDouble(first + 2), r.GetDouble(first + 3), r.GetDouble(first + 4),
        r.GetDouble(first + 5), r.GetDouble(first + 6), r.GetInt64(first + 7), r.GetDouble(first + 8), r.GetDouble(first + 9));
}
