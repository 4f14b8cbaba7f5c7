using Npgsql;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Bars;

namespace Scalpaiboard.Ingest.Infrastructure;

/// <summary>One stored higher-timeframe bar.</summary>
public readonly record struct SymbolBar(string Symbol, Timeframe Timeframe, Candle Bar);

/// <summary>
/// The closed 4h/8h/1d bars in <c>ingest.bars</c> (see docs/ingest.md, "Higher-timeframe bars"): idempotent
/// upserts, reads before a time for seeding the engine, the newest bar per symbol and timeframe.
/// </summary>
public sealed class BarStore(NpgsqlDataSource dataSource)
{
    /// <summary>The timeframes kept in the table.</summary>
    public static readonly Timeframe[] Timeframes = [Timeframe.H4, Timeframe.H8, Timeframe.D1];

    private const string Columns = "symbol, timeframe, " + CandleColumns.Names;

    /// <summary>Writes bars (insert, or replace the stored values of the same key) in one transaction.</summary>
    public async Task UpsertAsync(IReadOnlyList<SymbolBar> bars, CancellationToken cancellationToken)
    {
        if (bars.Count == 0)
        {
            return;
        }
        await StagedUpsert.RunAsync<SymbolBar, BarRow>(dataSource, "ingest.bars", "bars_staging", "symbol, timeframe, open_time",
            Columns, CandleColumns.UpdateSet, bars, cancellationToken);
    }

    /// <summary>A <c>bars</c> row: the symbol, the timeframe's name, then the bar.</summary>
    private readonly struct BarRow : IBinaryCopyRowEncoder<SymbolBar>
    {
        public static int MaxSize(in SymbolBar row) =>
            2 + BinaryCopyWriter.MaxTextSize(row.Symbol) + BinaryCopyWriter.MaxTextSize(row.Timeframe.Name()) + CandleColumns.BinarySize;

        public static int Write(Span<byte> destination, in SymbolBar row)
        {
            var n = BinaryCopyWriter.WriteFieldCount(destination, 2 + CandleColumns.Count);
            n += BinaryCopyWriter.WriteText(destination[n..], row.Symbol);
            n += BinaryCopyWriter.WriteText(destination[n..], row.Timeframe.Name());
            return n + CandleColumns.Write(destination[n..], row.Bar);
        }
    }

    /// <summary>The stored bars of a symbol and timeframe that open before <paramref name="before"/>, oldest first.</summary>
    public Task<List<Candle>> ReadBeforeAsync(string symbol, Timeframe timeframe, long before, CancellationToken cancellationToken) =>
        ReadRangeAsync(symbol, timeframe, long.MinValue, before, int.MaxValue, newest: true, cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> stored bars with open time in [<paramref name="from"/>, <paramref name="before"/>),
    /// the newest (or with <paramref name="newest"/> false the oldest) ones when there are more; oldest first.
    /// </summary>
    public async Task<List<Candle>> ReadRangeAsync(string symbol, Timeframe timeframe, long from, long before, int limit, bool newest, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand($"""
            SELECT * FROM (
                SELECT {CandleColumns.Names} FROM ingest.bars
                WHERE symbol = $1 AND timeframe = $2 AND open_time >= $3 AND open_time < $4
                ORDER BY open_time {(newest ? "DESC" : "ASC")} LIMIT $5) b
            ORDER BY open_time
            """);
        cmd.Parameters.AddWithValue(symbol);
        cmd.Parameters.AddWithValue(timeframe.Name());
        cmd.Parameters.AddWithValue(from);
        cmd.Parameters.AddWithValue(before);
        cmd.Parameters.AddWithValue((long)limit);
        var list = new List<Candle>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(CandleColumns.Read(r, 0));
        }
        return list;
    }

    /// <summary>The newest stored bar's open time per (symbol, timeframe).</summary>
    public async Task<Dictionary<(string Symbol, Timeframe Timeframe), long>> LatestOpenTimesAsync(CancellationToken cancellationToken)
    {
        var result = new Dictionary<(string, Timeframe), long>();
        await using var cmd = dataSource.CreateCommand("SELECT symbol, timeframe, max(open_time) FROM ingest.bars GROUP BY symbol, timeframe");
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            if (Market.Bars.Timeframes.TryParse(r.GetString(1), out var tf))
            {
                result[(r.GetString(0), tf)] = r.GetInt64(2);
            }
        }
        return result;
    }
}
