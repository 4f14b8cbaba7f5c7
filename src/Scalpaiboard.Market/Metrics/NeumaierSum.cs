namespace Scalpaiboard.Market.Metrics;

/// <summary>
/// Compensated (Neumaier) running sum. A rolling window adds the entering value and subtracts the leaving one
/// every minute; a plain double sum would drift over days of updates, this one stays within a few ulps of the
/// exact sum of the values currently in the window.
/// </summary>
public struct NeumaierSum
{
    private double _sum;
    private double _compensation;

    public readonly double Value => _sum + _compensation;

    public void Add(double x)
    {
        var t = _sum + x;
        if (Math.Abs(_sum) >= Math.Abs(x))
        {
            _compensation += (_sum - t) + x;
        }
        else
        {
            _compensation += (x - t) + _sum;
        }
        _sum = t;
    }

    public void Reset()
    {
        _sum = 0;
        _compensation = 0;
    }
}
