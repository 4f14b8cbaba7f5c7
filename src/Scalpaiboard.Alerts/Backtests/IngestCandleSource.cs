using Npgsql;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Backtests;

namespace Scalpaiboard.Alerts.Backtests;

/// <summary>
/// The 1m candles Ingest stored, read-only from its table <c>ingest.candles_1m</c> (same database, another schema).
/// Not through Ingest's REST API: <c>GET /api/coins/{symbol}/candles</c> pages at most 1,500 candles and leaves out
/// the taker-buy volumes a <see cref="Candle"/> carries, so 500 symbols x 30 days would be 14,400 requests; a
/// backtest streams each symbol's candles with one ordered index scan instead (docs/backtests.md).
/// </summary>
public sealed class IngestCandleSource(NpgsqlDataSource dataSource)
{
    private const string Table = "ingest.candles_1m";

    /// <summary>Every symbol with a stored candle (a skip scan over the primary key); none before Ingest created its table.</summary>
    public async Task<IReadOnlyList<string>> SymbolsAsync(CancellationToken cancellationToken)
    {
        if (!await TableExistsAsync(cancellationToken))
        {
            return [];
        }
        await using var cmd = dataSource.CreateCommand(
            $"""
            WITH RECURSIVE s AS (
                (SELECT symbol FROM {Table} ORDER BY symbol LIMIT 1)
                UNION ALL
                SELECT (SELECT c.symbol FROM {Table} c WHERE c.symbol > s.symbol ORDER BY c.symbol LIMIT 1) FROM s WHERE s.symbol IS NOT NULL
            )
            SELECT symbol FROM s WHERE symbol IS NOT NULL
            """);
        var list = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(r.GetString(0));
        }
        return list;
    }

    /// <summary>
    /// One series per symbol that has candles before <paramref name="to"/>, with an estimate of its count from its
    /// first and last open time (two index lookups): each series streams its candles on the worker that runs it.
    /// </summary>
    public async Task<IReadOnlyList<BacktestSeries>> SeriesAsync(IReadOnlyList<string> symbols, long? to, CancellationToken cancellationToken)
    {
        var series = new List<BacktestSeries>(symbols.Count);
        var end = to ?? long.MaxValue;
        foreach (var symbol in symbols)
        {
            await using var cmd = dataSource.CreateCommand(
                $"SELECT min(open_time), max(open_time) FROM {Table} WHERE symbol = @symbol AND open_time < @to");
            cmd.Parameters.AddWithValue("symbol", symbol);
            cmd.Parameters.AddWithValue("to", end);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            if (await r.ReadAsync(cancellationToken) && !r.IsDBNull(0))
            {
                var expected = (r.GetInt64(1) - r.GetInt64(0)) / Candle.MinuteMs + 1;
                series.Add(new BacktestSeries(symbol, () => Read(symbol, end), expected));
            }
        }
        return series;
    }

    /// <summary>The symbols of <paramref name="symbols"/> without a stored candle.</summary>
    public async Task<IReadOnlyList<string>> MissingAsync(IReadOnlyList<string> symbols, CancellationToken cancellationToken)
    {
        if (!await TableExistsAsync(cancellationToken))
        {
            return symbols;
        }
        await using var cmd = dataSource.CreateCommand(
            $"SELECT s FROM unnest(@symbols) AS s WHERE NOT EXISTS (SELECT 1 FROM {Table} c WHERE c.symbol = s)");
        cmd.Parameters.AddWithValue("symbols", symbols.ToArray());
        var missing = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            missing.Add(r.GetString(0));
        }
        return missing;
    }

    /// <summary>Whether Ingest has created its table yet (the services start independently).</summary>
    private async Task<bool> TableExistsAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT to_regclass('{Table}') IS NOT NULL");
        return await cmd.ExecuteScalarAsync(cancellationToken) is true;
    }

    /// <summary>Streams a symbol's candles, oldest first (synchronous: the runner's workers are threads of their own).</summary>
    private IEnumerable<Candle> Read(string symbol, long to)
    {
        using var conn = dataSource.OpenConnection();
        using var cmd = new NpgsqlCommand(
            $"""
            SELECT open_time, open, high, low, close, volume, quote_volume, trades, taker_buy_volume, taker_buy_quote_volume
            FROM {Table} WHERE symbol = @symbol AND open_time < @to ORDER BY open_time
            """, conn);
        cmd.Parameters.AddWithValue("symbol", symbol);
        cmd.Parameters.AddWithValue("to", to);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            yield return new Candle(r.GetInt64(0), r.GetDouble(1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4), r.GetDouble(5),
                r.GetDouble(6), r.GetInt64(7), r.GetDouble(8), r.GetDouble(9));
        }
    }
}
