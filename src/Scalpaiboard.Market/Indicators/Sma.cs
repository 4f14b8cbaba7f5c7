using static Scalpaiboard.Market.Indicators.Num;

namespace Scalpaiboard.Market.Indicators;

public readonly record struct SmaResult(double? Sma);

/// <summary>Simple moving average of the close. Warm-up: the first <c>period - 1</c> bars are null.</summary>
public sealed class Sma
{
    private readonly RollingSum _window;

    public Sma(int period = 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        Period = period;
        _window = new RollingSum(period);
    }

    public int Period { get; }

    public SmaResult Peek(in Quote quote) =>
        _window.Count + 1 >= Period ? new SmaResult(_window.PeekSum(quote.Close) / Period) : default;

    public SmaResult Add(in Quote quote)
    {
        var result = Peek(quote);
        _window.Push(quote.Close);
        return result;
    }

    public void Reset() => _window.Reset();

    public static SmaResult[] Calculate(IReadOnlyList<Quote> quotes, int period = 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        var results = new SmaResult[quotes.Count];
        for (var i = period - 1; i < quotes.Count; i++)
        {
            var sum = 0d;
            for (var j = i - period + 1; j <= i; j++)
            {
                sum += quotes[j].Close;
            }

            results[i] = new SmaResult(sum / period);
        }

        return results;
    }
}
