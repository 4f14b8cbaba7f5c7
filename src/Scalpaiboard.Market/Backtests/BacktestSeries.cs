namespace Scalpaiboard.Market.Backtests;

/// <summary>
/// One symbol's 1m candles for a backtest, in open-time order, from wherever the caller keeps them (kline CSVs, the
/// candle store, memory). <see cref="Candles"/> is called once, on the worker thread that runs the symbol, so a
/// source may stream (read a file, page a query) instead of loading everything first; what it throws ends the run.
/// </summary>
/// <param name="Symbol">The symbol.</param>
/// <param name="Candles">Opens the symbol's candles, oldest first.</param>
/// <param name="ExpectedCandles">An estimate of how many candles it will yield (for progress only; 0 if unknown).</param>
public sealed record BacktestSeries(string Symbol, Func<IEnumerable<Candle>> Candles, long ExpectedCandles = 0)
{
    /// <summary>A series held in memory.</summary>
    public static BacktestSeries Of(string symbol, IReadOnlyList<Candle> candles)
    {
        ArgumentNullException.ThrowIfNull(candles);
        return new BacktestSeries(symbol, () => candles, candles.Count);
    }
}

/// <summary>
/// How far a run is: candles read so far (warm-up included) against the expected total, which is the sum of the
/// series' estimates, corrected to the real count as each symbol finishes.
/// </summary>
public readonly record struct BacktestProgress(long Candles, long ExpectedCandles)
{
    /// <summary>0..1 (clamped: an estimate that was too low reads 1 until the run corrects it).</summary>
    public double Fraction => ExpectedCandles <= 0 ? 0 : Math.Min(1.0, (double)Candles / ExpectedCandles);
}
