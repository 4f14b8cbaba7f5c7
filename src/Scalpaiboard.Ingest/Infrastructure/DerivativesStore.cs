using Npgsql;
using NpgsqlTypes;
using Scalpaiboard.Market.Derivatives;

namespace Scalpaiboard.Ingest.Infrastructure;

/// <summary>One 5-minute point of <c>GET /api/coins/{symbol}/derivatives</c>.</summary>
public sealed record DerivativesPoint(
    long Time, double? OpenInterestValue, double? FundingRate, double? LongShortRatio, double? LiquidationsLong, double? LiquidationsShort);

/// <summary>
/// The derivatives tables (<c>ingest.open_interest</c>, <c>ingest.funding_rates</c>, <c>ingest.liquidations</c>):
/// idempotent batched writes, the read-back at start-up, the 5-minute history of the API, and retention. An open-interest
/// or funding sample at a time already stored replaces it when its values differ (the latest sent wins, as in the
/// engine's memory, so a restart rebuilds the same values); a re-delivered liquidation is ignored. Mark-price updates are
/// live state only and are not stored.
/// </summary>
public sealed class DerivativesStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Writes a batch in one transaction. Of open-interest and funding samples at the same symbol and time, the last one
    /// (of the batch, then of the batches) is kept.
    /// </summary>
    public async Task WriteAsync(IReadOnlyList<DerivativesUpdate> updates, CancellationToken cancellationToken)
    {
        var oi = new List<DerivativesUpdate>();
        var funding = new List<DerivativesUpdate>();
        var liquidations = new List<DerivativesUpdate>();
        // Index of each (kind, symbol, time) in its list: a later sample of a key takes the earlier one's place (one
        // INSERT ... ON CONFLICT DO UPDATE cannot touch a row twice).
        var seen = new Dictionary<(DerivativesKind, string, long), int>();
        foreach (var u in updates)
        {
            var list = u.Kind switch
            {
                DerivativesKind.OpenInterest => oi,
                DerivativesKind.Funding => funding,
                DerivativesKind.Liquidation => liquidations,
                _ => null,
            };
            if (list is null)
            {
                continue;
            }
            if (u.Kind is DerivativesKind.OpenInterest or DerivativesKind.Funding)
            {
                var key = (u.Kind, u.Symbol, u.Kind == DerivativesKind.OpenInterest ? u.OpenInterest.Time : u.Funding.Time);
                if (seen.TryGetValue(key, out var at))
                {
                    list[at] = u;
                    continue;
                }
                seen[key] = list.Count;
            }
            list.Add(u);
        }
        if (oi.Count + funding.Count + liquidations.Count == 0)
        {
            return;
        }
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        if (oi.Count > 0)
        {
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO ingest.open_interest (symbol, time, open_interest, open_interest_value, long_short_ratio, top_trader_long_short_ratio, taker_buy_sell_ratio)
                SELECT * FROM unnest($1::text[], $2::bigint[], $3::float8[], $4::float8[], $5::float8[], $6::float8[], $7::float8[])
                ON CONFLICT (symbol, time) DO UPDATE SET open_interest = excluded.open_interest,
                    open_interest_value = excluded.open_interest_value, long_short_ratio = excluded.long_short_ratio,
                    top_trader_long_short_ratio = excluded.top_trader_long_short_ratio, taker_buy_sell_ratio = excluded.taker_buy_sell_ratio
                WHERE (open_interest.open_interest, open_interest.open_interest_value, open_interest.long_short_ratio,
                       open_interest.top_trader_long_short_ratio, open_interest.taker_buy_sell_ratio)
                    IS DISTINCT FROM (excluded.open_interest, excluded.open_interest_value, excluded.long_short_ratio,
                       excluded.top_trader_long_short_ratio, excluded.taker_buy_sell_ratio)
                """, conn, tx);
            cmd.Parameters.Add(new NpgsqlParameter { Value = oi.Select(u => u.Symbol).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = oi.Select(u => u.OpenInterest.Time).ToArray() });
            cmd.Parameters.Add(Nullable(oi.Select(u => u.OpenInterest.OpenInterest)));
            cmd.Parameters.Add(Nullable(oi.Select(u => u.OpenInterest.OpenInterestValue)));
            cmd.Parameters.Add(Nullable(oi.Select(u => u.OpenInterest.LongShortRatio)));
            cmd.Parameters.Add(Nullable(oi.Select(u => u.OpenInterest.TopTraderLongShortRatio)));
            cmd.Parameters.Add(Nullable(oi.Select(u => u.OpenInterest.TakerBuySellRatio)));
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        if (funding.Count > 0)
        {
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO ingest.funding_rates (symbol, time, rate)
                SELECT * FROM unnest($1::text[], $2::bigint[], $3::float8[])
                ON CONFLICT (symbol, time) DO UPDATE SET rate = excluded.rate
                WHERE funding_rates.rate IS DISTINCT FROM excluded.rate
                """, conn, tx);
            cmd.Parameters.Add(new NpgsqlParameter { Value = funding.Select(u => u.Symbol).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = funding.Select(u => u.Funding.Time).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = funding.Select(u => u.Funding.Rate).ToArray() });
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        if (liquidations.Count > 0)
        {
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO ingest.liquidations (symbol, time, side, price, quantity)
                SELECT * FROM unnest($1::text[], $2::bigint[], $3::smallint[], $4::float8[], $5::float8[])
                ON CONFLICT DO NOTHING
                """, conn, tx);
            cmd.Parameters.Add(new NpgsqlParameter { Value = liquidations.Select(u => u.Symbol).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = liquidations.Select(u => u.Liquidation.Time).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = liquidations.Select(u => (short)u.Liquidation.Side).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = liquidations.Select(u => u.Liquidation.Price).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = liquidations.Select(u => u.Liquidation.Quantity).ToArray() });
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Everything known from <paramref name="since"/> on (and the funding settled in the two days before it, the rate
    /// in force then), in time order, to rebuild the engine's history at start-up.
    /// </summary>
    public async Task<List<DerivativesUpdate>> ReadSinceAsync(long since, CancellationToken cancellationToken)
    {
        var result = new List<DerivativesUpdate>();
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var cmd = new NpgsqlCommand("""
            SELECT symbol, time, open_interest, open_interest_value, long_short_ratio, top_trader_long_short_ratio, taker_buy_sell_ratio
            FROM ingest.open_interest WHERE time >= $1
            """, conn))
        {
            cmd.Parameters.AddWithValue(since);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
            {
                result.Add(DerivativesUpdate.Of(r.GetString(0), new OpenInterestSample(r.GetInt64(1), D(r, 2), D(r, 3), D(r, 4), D(r, 5), D(r, 6))));
            }
        }
        await using (var cmd = new NpgsqlCommand("SELECT symbol, time, rate FROM ingest.funding_rates WHERE time >= $1", conn))
        {
            cmd.Parameters.AddWithValue(since - (2 * DerivativesHistory.KeepMs));
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
            {
                result.Add(DerivativesUpdate.Of(r.GetString(0), new FundingSample(r.GetInt64(1), r.GetDouble(2))));
            }
        }
        await using (var cmd = new NpgsqlCommand("SELECT symbol, time, side, price, quantity FROM ingest.liquidations WHERE time >= $1", conn))
        {
            cmd.Parameters.AddWithValue(since);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
            {
                result.Add(DerivativesUpdate.Of(r.GetString(0), new Liquidation(r.GetInt64(1), (LiquidationSide)r.GetInt16(2), r.GetDouble(3), r.GetDouble(4))));
            }
        }
        result.Sort((a, b) => a.Time.CompareTo(b.Time));
        return result;
    }

    /// <summary>
    /// The 5-minute points of a symbol in [<paramref name="from"/>, <paramref name="to"/>], oldest first, at most
    /// <paramref name="limit"/>: each open-interest sample with the funding rate in force and the liquidations of the 5
    /// minutes up to it (null when <paramref name="liquidationsTracked"/> is false: no feed reports them).
    /// </summary>
    public async Task<List<DerivativesPoint>> ReadPointsAsync(string symbol, long from, long to, int limit, bool liquidationsTracked, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT o.time, o.open_interest_value, o.long_short_ratio,
                   (SELECT f.rate FROM ingest.funding_rates f WHERE f.symbol = o.symbol AND f.time <= o.time ORDER BY f.time DESC LIMIT 1),
                   liq.long, liq.short
            FROM ingest.open_interest o
            CROSS JOIN LATERAL (
                SELECT coalesce(sum(l.price * l.quantity) FILTER (WHERE l.side = 0), 0) AS long,
                       coalesce(sum(l.price * l.quantity) FILTER (WHERE l.side = 1), 0) AS short
                FROM ingest.liquidations l
                WHERE l.symbol = o.symbol AND l.time > o.time - 300000 AND l.time <= o.time) liq
            WHERE o.symbol = $1 AND o.time >= $2 AND o.time <= $3
            ORDER BY o.time
            LIMIT $4
            """);
        cmd.Parameters.AddWithValue(symbol);
        cmd.Parameters.AddWithValue(from);
        cmd.Parameters.AddWithValue(to);
        cmd.Parameters.AddWithValue(limit);
        var points = new List<DerivativesPoint>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            points.Add(new DerivativesPoint(r.GetInt64(0), N(r, 1), N(r, 3), N(r, 2),
                liquidationsTracked ? r.GetDouble(4) : null, liquidationsTracked ? r.GetDouble(5) : null));
        }
        return points;
    }

    /// <summary>The newest open-interest sample time of every symbol (a live feed backfills after it).</summary>
    public async Task<Dictionary<string, long>> LastOpenInterestTimesAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("SELECT symbol, max(time) FROM ingest.open_interest GROUP BY symbol");
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            result[r.GetString(0)] = r.GetInt64(1);
        }
        return result;
    }

    public async Task<int> DeleteOlderThanAsync(long before, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        foreach (var table in (string[])["open_interest", "liquidations"])
        {
            var c = new NpgsqlBatchCommand($"DELETE FROM ingest.{table} WHERE time < $1");
            c.Parameters.AddWithValue(before);
            batch.BatchCommands.Add(c);
        }
        // Keep the latest settled funding of each symbol whatever its age: it is the rate in force.
        var f = new NpgsqlBatchCommand("""
            DELETE FROM ingest.funding_rates f WHERE f.time < $1
              AND f.time < (SELECT max(g.time) FROM ingest.funding_rates g WHERE g.symbol = f.symbol)
            """);
        f.Parameters.AddWithValue(before);
        batch.BatchCommands.Add(f);
        return await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>NaN (unavailable) is stored as NULL.</summary>
    private static NpgsqlParameter Nullable(IEnumerable<double> values) =>
        new() { Value = values.Select(v => double.IsFinite(v) ? v : (double?)null).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Double };

    private static double D(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? double.NaN : r.GetDouble(i);

    private static double? N(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);
}
