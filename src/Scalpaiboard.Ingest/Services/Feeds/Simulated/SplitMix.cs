namespace Scalpaiboard.Ingest.Services.Feeds.Simulated;

/// <summary>A tiny deterministic random generator (SplitMix64): the same seed gives the same numbers on every platform.</summary>
public struct SplitMix(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Standard normal (Box-Muller).</summary>
    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    public static ulong Mix(ulong a, ulong b)
    {
        var m = new SplitMix(a ^ (b * 0xD1B54A32D192ED03UL));
        return m.NextUInt64();
    }
}
