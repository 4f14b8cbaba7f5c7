using System.Collections.Concurrent;
using Scalpaiboard.Alerts.Infrastructure;
using Scalpaiboard.Alerts.Model;
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
/// The enabled user alerts indexed by symbol, for the consumer: an evaluation touches only the alerts of the batch's
/// symbols. Loaded in full at start-up (and after a failed batch), changed one alert at a time by the API of this
/// replica (<see cref="Upsert"/>, <see cref="Remove"/>: visible to the very next candle), and reloaded in the background
/// after a batch when older than a few seconds, for changes made through another replica; that reload never runs on
/// the evaluation path. The cache is only a filter: the database still decides (enabled, cooldown) when a condition
/// matches, so a stale entry can cost a query but never a wrong trigger.
/// Reads (consumer) are lock-free; writers (API, reload) serialise on a lock and publish copy-on-write arrays.
/// </summary>
public sealed partial class UserAlertCache(UserAlertStore store, ConditionRules rules, TimeProvider time, ILogger<UserAlertCache> logger)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private volatile ConcurrentDictionary<string, CachedAlert[]> _bySymbol = new(StringComparer.Ordinal);
    private Dictionary<long, string> _symbolOf = [];
    private long _version;
    private DateTimeOffset _loadedAt = DateTimeOffset.MinValue;
    private volatile bool _dirty = true;
    private int _reloading;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _symbolOf.Count;
            }
        }
    }

    /// <summary>Forces a full synchronous reload before the next batch (start-up, after a failed batch).</summary>
    public void Invalidate() => _dirty = true;

    /// <summary>Before a batch: a full reload only when invalidated (the periodic one runs in the background).</summary>
    public async Task RefreshIfNeededAsync(CancellationToken cancellationToken)
    {
        if (!_dirty)
        {
            return;
        }
        _dirty = false;
        try
        {
            // an API change racing the load makes it start over: the batch must not run on a partial index
            while (!await ReloadAsync(cancellationToken))
            {
            }
        }
        catch
        {
            _dirty = true;
            throw;
        }
    }

    /// <summary>After a batch: starts a background reload when the last one is older than a few seconds.</summary>
    public void RefreshInBackgroundIfStale()
    {
        if (time.GetUtcNow() - _loadedAt < MaxAge || Interlocked.Exchange(ref _reloading, 1) == 1)
        {
            return;
        }
        _ = Task.Run(async () =>
        {
            try
            {
                await ReloadAsync(CancellationToken.None);
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException or System.Text.Json.JsonException)
            {
                LogReloadFailed(ex);
            }
            finally
            {
                Volatile.Write(ref _reloading, 0);
            }
        });
    }

    /// <summary>Loads every enabled alert; false when an API change raced the load (it is retried later).</summary>
    private async Task<bool> ReloadAsync(CancellationToken cancellationToken)
    {
        var version = Interlocked.Read(ref _version);
        var active = await store.ActiveAsync(cancellationToken);
        var lists = new Dictionary<string, List<CachedAlert>>(StringComparer.Ordinal);
        var symbolOf = new Dictionary<long, string>(active.Count);
        foreach (var a in active)
        {
            if (!lists.TryGetValue(a.Symbol, out var list))
            {
                lists[a.Symbol] = list = [];
            }
            list.Add(new CachedAlert(a, rules.Compile(a.Conditions)));
            symbolOf[a.Id] = a.Symbol;
        }
        var map = new ConcurrentDictionary<string, CachedAlert[]>(StringComparer.Ordinal);
        foreach (var (symbol, list) in lists)
        {
            map[symbol] = [.. list];
        }
        lock (_gate)
        {
            if (Interlocked.Read(ref _version) != version)
            {
                return false;
            }
            _bySymbol = map;
            _symbolOf = symbolOf;
            _loadedAt = time.GetUtcNow();
            return true;
        }
    }

    /// <summary>An alert created or updated through this replica's API: visible to the next candle.</summary>
    public void Upsert(string userId, AlertDto alert)
    {
        var cached = alert.Enabled
            ? new CachedAlert(new ActiveAlert(alert.Id, userId, alert.Symbol, alert.Conditions, alert.Recurring, alert.CooldownMinutes, alert.Note,
                alert.LastTriggeredOpenTime), rules.Compile(alert.Conditions))
            : null;
        lock (_gate)
        {
            Interlocked.Increment(ref _version);
            RemoveLocked(alert.Id);
            if (cached is null)
            {
                return;
            }
            var map = _bySymbol;
            map[alert.Symbol] = map.TryGetValue(alert.Symbol, out var list) ? [.. list, cached] : [cached];
            _symbolOf[alert.Id] = alert.Symbol;
        }
    }

    /// <summary>An alert deleted through this replica's API.</summary>
    public void Remove(long alertId)
    {
        lock (_gate)
        {
            Interlocked.Increment(ref _version);
            RemoveLocked(alertId);
        }
    }

    private void RemoveLocked(long alertId)
    {
        if (!_symbolOf.Remove(alertId, out var symbol) || !_bySymbol.TryGetValue(symbol, out var list))
        {
            return;
        }
        var kept = Array.FindAll(list, c => c.Alert.Id != alertId);
        if (kept.Length == 0)
        {
            _bySymbol.TryRemove(symbol, out _);
        }
        else
        {
            _bySymbol[symbol] = kept;
        }
    }

    /// <summary>The enabled alerts of a symbol (a snapshot array: never modified after it is published).</summary>
    public CachedAlert[] For(string symbol) => _bySymbol.TryGetValue(symbol, out var list) ? list : [];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Background reload of the user alerts failed; the next batch retries")]
    private partial void LogReloadFailed(Exception ex);
}
