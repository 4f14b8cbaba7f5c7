using System.Runtime.CompilerServices;
using Scalpaiboard.Market;
using Scalpaiboard.Market.Bars;
using Scalpaiboard.Market.Indicators;
using Scalpaiboard.Market.Metrics;
using Scalpaiboard.Market.Signals;

namespace Scalpaiboard.Cli.Bench;

/// <summary>
/// The straightforward way, for comparison: on every candle recompute the rolling windows from the candle
/// history, rebuild the aligned bars of every timeframe from the whole history and replay them through fresh
/// indicators, then evaluate the presets. Same results as the streaming engine, much more work per candle.
/// </summary>
public sealed class NaiveBatchPipeline(PresetEvaluator evaluator, IReadOnlyList<Timeframe> indicatorTimeframes)
{
    private readonly List<Candle> _bars = new(2048);
    private readonly TimeframeIndicators _indicators = new();

    // Compiled fully optimised at once: it runs too few times for tiered compilation to reach its final code
    // while being timed, which would flatter the streaming engine.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public PresetMask Recompute(List<Candle> history, MetricsSnapshot snapshot)
    {
        var n = history.Count;
        var last = history[n - 1];
        snapshot.OpenTime = last.OpenTime;
        snapshot.Price = last.Close;
        snapshot.PreviousPrice = n > 1 ? history[n - 2].Close : double.NaN;
        for (var w = 0; w < Windows.Count; w++)
        {
            var len = Windows.Minutes[w];
            snapshot.Change[w] = n > len ? (last.Close / history[n - 1 - len].Close - 1) * 100 : double.NaN;
            if (n < len)
            {
                snapshot.QuoteVolume[w] = snapshot.BaseVolume[w] = snapshot.Trades[w] = double.NaN;
                snapshot.Open[w] = snapshot.High[w] = snapshot.Low[w] = double.NaN;
                continue;
            }
            double quote = 0, volume = 0, high = double.MinValue, low = double.MaxValue;
            long trades = 0;
            for (var i = n - len; i < n; i++)
            {
                var c = history[i];
                quote += c.QuoteVolume;
                volume += c.Volume;
                trades += c.Trades;
                high = Math.Max(high, c.High);
                low = Math.Min(low, c.Low);
            }
            snapshot.QuoteVolume[w] = quote;
            snapshot.BaseVolume[w] = volume;
            snapshot.Trades[w] = trades;
            snapshot.High[w] = high;
            snapshot.Low[w] = low;
            snapshot.Open[w] = history[n - len].Open;
        }

        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(history);
        Array.Fill(snapshot.Indicators, IndicatorValues.Unavailable);
        foreach (var tf in indicatorTimeframes)
        {
            _bars.Clear();
            BarBuilder.Aggregate(span, tf, _bars);
            _indicators.Reset();
            for (var i = 0; i < _bars.Count - 1; i++)
            {
                _indicators.OnBarClosed(_bars[i]);
            }
            _indicators.Compute(_bars[^1], ref snapshot.Indicators[(int)tf]);
        }
        return evaluator.Evaluate(snapshot);
    }
}
