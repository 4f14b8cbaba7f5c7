namespace Scalpaiboard.Market.Signals;

/// <summary>
/// Cooldown per (symbol, preset): after firing at candle t, a preset does not fire again for candles that open
/// before t + cooldown (default 5 minutes: fires at t, suppressed at t+1..t+4, may fire at t+5). Seed it with the
/// last fire time per (symbol, type) from storage so a restarted consumer behaves as if it had never stopped.
/// Not thread-safe.
/// </summary>
public sealed class SignalCooldown
{
    public static readonly TimeSpan DefaultCooldown = TimeSpan.FromMinutes(5);

    private readonly Dictionary<string, SymbolCooldown> _symbols = new(StringComparer.Ordinal);

    public SignalCooldown() : this(DefaultCooldown)
    {
    }

    public SignalCooldown(TimeSpan cooldown)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cooldown, TimeSpan.Zero);
        CooldownMs = (long)cooldown.TotalMilliseconds;
    }

    public long CooldownMs { get; }

    /// <summary>The cooldown slots of one symbol (hold on to it to skip the dictionary on hot paths).</summary>
    public SymbolCooldown For(string symbol)
    {
        if (!_symbols.TryGetValue(symbol, out var slot))
        {
            _symbols[symbol] = slot = new SymbolCooldown(CooldownMs);
        }
        return slot;
    }

    /// <summary>True (and remembered) when the preset may fire at <paramref name="openTime"/>; false while cooling down.</summary>
    public bool TryFire(string symbol, PresetType type, long openTime) => For(symbol).TryFire(type, openTime);

    /// <summary>Remembers an earlier fire (e.g. the latest stored signal), keeping the later of the two.</summary>
    public void Seed(string symbol, PresetType type, long lastFireOpenTime) => For(symbol).Seed(type, lastFireOpenTime);
}

/// <summary>Cooldown state of one symbol's ten presets.</summary>
public sealed class SymbolCooldown
{
    private const long Never = long.MinValue;

    private readonly long[] _lastFired = [Never, Never, Never, Never, Never, Never, Never, Never, Never, Never];
    private readonly long _cooldownMs;

    internal SymbolCooldown(long cooldownMs) => _cooldownMs = cooldownMs;

    public long? LastFired(PresetType type) => _lastFired[(int)type] == Never ? null : _lastFired[(int)type];

    public bool IsCoolingDown(PresetType type, long openTime)
    {
        var last = _lastFired[(int)type];
        return last != Never && openTime - last < _cooldownMs;
    }

    public bool TryFire(PresetType type, long openTime)
    {
        if (IsCoolingDown(type, openTime))
        {
            return false;
        }
        _lastFired[(int)type] = openTime;
        return true;
    }

    /// <summary>Fires every preset of <paramref name="held"/> that is not cooling down; returns those that fired.</summary>
    public PresetMask Fire(PresetMask held, long openTime)
    {
        var fired = 0;
        foreach (var type in held)
        {
            if (TryFire(type, openTime))
            {
                fired |= 1 << (int)type;
            }
        }
        return new PresetMask(fired);
    }

    public void Seed(PresetType type, long lastFireOpenTime)
    {
        if (_lastFired[(int)type] == Never || lastFireOpenTime > _lastFired[(int)type])
        {
            _lastFired[(int)type] = lastFireOpenTime;
        }
    }
}
