namespace Scalpaiboard.Market.Indicators;

public readonly record struct ObvResult(double? Obv);

/// <summary>
/// On-balance volume: starts at 0 on the first bar, then adds the volume on an up close, subtracts it on a down
/// close, unchanged on an equal close. No warm-up.
/// </summary>
public sealed class Obv
{
    private bool _started;
    private double _prevClose;
    private double _obv;

    public ObvResult Peek(in Quote quote) => new(Next(quote));

    public ObvResult Add(in Quote quote)
    {
        _obv = Next(quote);
        _prevClose = quote.Close;
        _started = true;
        return new ObvResult(_obv);
    }

    public void Reset()
    {
        _started = false;
        _prevClose = _obv = 0;
    }

    private double Next(in Quote q) => Next(_started, _prevClose, _obv, q.Close, q.Volume);

    /// <summary>OBV after a bar (the step the engine's packed state shares).</summary>
    internal static double Next(bool started, double prevClose, double obv, double close, double volume) =>
        !started || close == prevClose ? obv : close > prevClose ? obv + volume : obv - volume;

    public static ObvResult[] Calculate(IReadOnlyList<Quote> quotes)
    {
        var results = new ObvResult[quotes.Count];
        var obv = 0d;
        for (var i = 0; i < quotes.Count; i++)
        {
            if (i > 0 && quotes[i].Close > quotes[i - 1].Close)
            {
                obv += quotes[i].Volume;
            }
            else if (i > 0 && quotes[i].Close < quotes[i - 1].Close)
            {
                obv -= quotes[i].Volume;
            }

            results[i] = new ObvResult(obv);
        }

        return results;
    }
}
