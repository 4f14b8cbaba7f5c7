namespace Scalpaiboard.Market.Signals;

/// <summary>A set of <see cref="PresetType"/>s as bits (bit i = preset i); enumerates in enum order, allocation-free.</summary>
public readonly record struct PresetMask(int Bits)
{
    public static PresetMask None => default;

    public bool IsEmpty => Bits == 0;

    public int Count => System.Numerics.BitOperations.PopCount((uint)Bits);

    public bool Contains(PresetType type) => (Bits & (1 << (int)type)) != 0;

    public PresetMask With(PresetType type) => new(Bits | (1 << (int)type));

    public PresetMask Without(PresetType type) => new(Bits & ~(1 << (int)type));

    public Enumerator GetEnumerator() => new(Bits);

    public override string ToString()
    {
        var names = new List<string>();
        foreach (var type in this)
        {
            names.Add(type.Key());
        }
        return string.Join(",", names);
    }

    public struct Enumerator(int bits)
    {
        private int _remaining = bits;

        public PresetType Current { get; private set; }

        public bool MoveNext()
        {
            if (_remaining == 0)
            {
                return false;
            }
            var bit = System.Numerics.BitOperations.TrailingZeroCount(_remaining);
            _remaining &= _remaining - 1;
            Current = (PresetType)bit;
            return true;
        }
    }
}
