namespace Scalpaiboard.Ingest.Services.Feeds.Binance;

/// <summary>
/// Keeps REST calls under Binance's request-weight limit per minute: weight is reserved before a request (so
/// concurrent calls cannot overshoot together), corrected upwards from the <c>X-MBX-USED-WEIGHT-1M</c> header,
/// and a request that would pass the budget waits for the next minute. A 429/418 pauses everything for its
/// Retry-After.
/// </summary>
public sealed class RequestWeightLimiter(TimeProvider time, int limit, double budgetFraction)
{
    private readonly Lock _gate = new();
    private long _minute = long.MinValue;
    private int _used;
    private DateTimeOffset _pausedUntil = DateTimeOffset.MinValue;

    public int Limit { get; private set; } = limit;

    /// <summary>The share of a server limit we allow ourselves.</summary>
    public double BudgetFraction => budgetFraction;

    /// <summary>Weight used in the current minute as far as we know.</summary>
    public int Used
    {
        get
        {
            lock (_gate)
            {
                Roll();
                return _used;
            }
        }
    }

    private int Budget => Math.Max(1, (int)(Limit * budgetFraction));

    public void SetLimit(int newLimit)
    {
        if (newLimit > 0)
        {
            Limit = newLimit;
        }
    }

    /// <summary>Waits until <paramref name="weight"/> fits in this minute's budget, then reserves it (weight 0 only waits out a pause).</summary>
    public async Task AcquireAsync(int weight, CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                Roll();
                var now = time.GetUtcNow();
                if (now < _pausedUntil)
                {
                    wait = _pausedUntil - now;
                }
                else if (weight == 0 || _used + weight <= Budget || (_used == 0 && weight > Budget))
                {
                    _used += weight;
                    return;
                }
                else
                {
                    // Wait for the next minute window (the server counts per clock minute).
                    wait = TimeSpan.FromMilliseconds(60_000 - now.ToUnixTimeMilliseconds() % 60_000 + 5);
                }
            }
            await Task.Delay(RealDelay(time, wait), cancellationToken);
        }
    }

    /// <summary>Takes the server's count of weight used this minute.</summary>
    public void Observe(int usedWeight)
    {
        lock (_gate)
        {
            Roll();
            _used = Math.Max(_used, usedWeight);
        }
    }

    /// <summary>A 429 or 418: nothing is sent until the server's Retry-After has passed.</summary>
    public void Pause(TimeSpan retryAfter)
    {
        lock (_gate)
        {
            var until = time.GetUtcNow() + retryAfter;
            if (until > _pausedUntil)
            {
                _pausedUntil = until;
            }
        }
    }

    private void Roll()
    {
        var minute = time.GetUtcNow().ToUnixTimeMilliseconds() / 60_000;
        if (minute != _minute)
        {
            _minute = minute;
            _used = 0;
        }
    }

    /// <summary>Waits are in the provider's time; a sped-up test clock gives shorter real waits, never longer than a minute.</summary>
    internal static TimeSpan RealDelay(TimeProvider time, TimeSpan wait)
    {
        var scale = time is IScaledTime scaled ? scaled.Scale : 1.0;
        var real = TimeSpan.FromMilliseconds(wait.TotalMilliseconds / scale);
        return real < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : real > TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : real;
    }
}

/// <summary>A clock that runs faster than real time (tests): waits computed in its time are divided by <see cref="Scale"/>.</summary>
public interface IScaledTime
{
    double Scale { get; }
}
