using Scalpaiboard.Alerts.Infrastructure;
using Scalpaiboard.Alerts.Services.Engine;

namespace Scalpaiboard.Alerts.Services;

/// <summary>An enabled alert ready for evaluation: its compiled conditions and the last candle it fired on.</summary>
public sealed class CachedAlert(ActiveAlert alert, CompiledConditions conditions)
{
    public ActiveAlert Alert { get; } = alert;

    public CompiledConditions Conditions { get; } = conditions;

    public long? LastTriggeredOpenTime { get; set; } = alert.LastTriggeredOpenTime;

    public bool Disabled { get; set; }

    /// <summary>Skips the database while a recurring alert is surely cooling down (the database decides at the edge).</summary>
    public bool MayTrigger(long openTime) => !Disabled
        && (LastTriggeredOpenTime is not long last || openTime >= last + Alert.CooldownMinutes * 60_000L || openTime < last);
}

/// <summary>
/// The enabled user alerts by symbol, for the consumer. Reloaded from PostgreSQL when the API changed an alert on
/// this replica, and every few seconds otherwise (changes made through another replica).
/// </summary>
public sealed class UserAlertCache(UserAlertStore store, ConditionRules rules, TimeProvider time)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    private Dictionary<string, List<CachedAlert>> _bySymbol = new(StringComparer.Ordinal);
    private DateTimeOffset _loadedAt = DateTimeOffset.MinValue;
    private volatile bool _dirty = true;

    public int Count { get; private set; }

    public void Invalidate() => _dirty = true;

    public async Task RefreshIfNeededAsync(CancellationToken cancellationToken)
    {
        if (!_dirty && time.GetUtcNow() - _loadedAt < MaxAge)
        {
            return;
        }
        _dirty = false;
        var active = await store.ActiveAsync(cancellationToken);
        var map = new Dictionary<string, List<CachedAlert>>(StringComparer.Ordinal);
        foreach (var a in active)
        {
            if (!map.TryGetValue(a.Symbol, out var list))
            {
                map[a.Symbol] = list = [];
            }
            list.Add(new CachedAlert(a, rules.Compile(a.Conditions)));
        }
        _bySymbol = map;
        _loadedAt = time.GetUtcNow();
        Count = active.Count;
    }

    public IReadOnlyList<CachedAlert> For(string symbol) => _bySymbol.TryGetValue(symbol, out var list) ? list : [];
}
