using static Scalpaiboard.Market.Indicators.Num;

namespace Scalpaiboard.Market.Indicators;

public readonly record struct BollingerBandsResult(
    double? Sma, double? UpperBand, double? LowerBand, double? PercentB, double? ZScore, double? Width);

/// <summary>
/// Bollinger Bands of the close: SMA +/- k population standard deviations.
/// percentB = (close - lower) / (upper - lower); zScore = (close - sma) / sd; width = (upper - lower) / sma
/// (each null when its divisor is 0). Warm-up: the first <c>period - 1</c> bars are null.
/// </summary>
public sealed class BollingerBands
{
    private readonly RollingMoments _window;

    public BollingerBands(int period = 20, double standardDeviations = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 2);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(standardDeviations, 0);
        Period = period;
        StandardDeviations = standardDeviations;
        _window = new RollingMoments(period);
    }

    public int Period { get; }

    public double StandardDeviations { get; }

    public BollingerBandsResult Peek(in Quote quote)
    {
        if (_window.Count + 1 < Period)
        {
            return default;
        }

        var (mean, variance) = _window.Peek(quote.Close);
        return Result(quote.Close, mean, Math.Sqrt(variance), StandardDeviations);
    }

    public BollingerBandsResult Add(in Quote quote)
    {
        var result = Peek(quote);
        _window.Push(quote.Close);
        return result;
    }

    public void Reset() => _window.Reset();

    private static BollingerBandsResult Result(double close, double mean, double sd, double k)
    {
        var (upper, lower, percentB, width) = Bands(close, mean, sd, k);
        return new BollingerBandsResult(mean, upper, lower, N(percentB), sd == 0 ? null : (close - mean) / sd, N(width));
    }

    /// <summary>The bands around <paramref name="mean"/>, %B and width (NaN where their divisor is 0).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static (double Upper, double Lower, double PercentB, double Width) Bands(double close, double mean, double sd, double k)
    {
        var upper = mean + (k * sd);
        var lower = mean - (k * sd);
        return (upper, lower,
            upper - lower == 0 ? double.NaN : (close - lower) / (upper - lower),
            mean == 0 ? double.NaN : (upper - lower) / mean);
    }

    public static BollingerBandsResult[] Calculate(IReadOnlyList<Quote> quotes, int period = 20, double standardDeviations = 2)
    {
        var results = new BollingerBandsResult[quotes.Count];
        for (var i = period - 1; i < quotes.Count; i++)
        {
            var mean = 0d;
            for (var j = i - period + 1; j <= i; j++)
            {
                mean += quotes[j].Close;
            }

            mean /= period;
            var squares = 0d;
            for (var j = i - period + 1; j <= i; j++)
            {
                var d = quotes[j].Close - mean;
                squares += d * d;
            }

            results[i] = Result(quotes[i].Close, mean, Math.Sqrt(squares / period), standardDeviations);
        }

        return results;
    }
}
