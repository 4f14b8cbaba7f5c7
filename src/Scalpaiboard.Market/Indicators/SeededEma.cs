namespace Scalpaiboard.Market.Indicators;

/// <summary>
/// Exponential moving average seeded with the simple average of its first <c>period</c> inputs (the reference
/// library's definition): NaN before that, then <c>ema += k * (x - ema)</c> with <c>k = 2 / (period + 1)</c>.
/// A mutable struct held in a field of its owner: no allocation.
/// </summary>
[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Auto)] // 32 bytes, not 40
internal struct SeededEma
{
    private readonly int _period;
    private readonly double _k;
    private int _count;
    private double _sum;
    private double _value;

    public SeededEma(int period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        _period = period;
        _k = 2d / (period + 1);
        _value = double.NaN;
    }

    public readonly double Value => _value;

    public readonly double Peek(double x)
    {
        if (_count + 1 < _period)
        {
            return double.NaN;
        }

        return _count + 1 == _period ? (_sum + x) / _period : _value + (_k * (x - _value));
    }

    public void Push(double x)
    {
        var next = Peek(x);
        if (_count < _period)
        {
            _sum += x;
            _count++;
        }

        _value = next;
    }

    public void Reset()
    {
        _count = 0;
        _sum = 0;
        _value = double.NaN;
    }
}
