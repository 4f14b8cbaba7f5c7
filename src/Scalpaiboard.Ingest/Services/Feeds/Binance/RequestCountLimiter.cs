namespace Scalpaiboard.Ingest.Services.Feeds.Binance;

/// <summary>
/// Keeps the calls of one endpoint under an IP limit counted in requests per window rather than in weight (the
/// <c>/futures/data</c> statistics: 1000 per 5 minutes each; <c>/fapi/v1/fundingRate</c>: 500 per 5 minutes). The
/// window slides, so no window of the server's, however it is aligned, sees more than the budget: a request that
/// would pass it waits until the oldest one in the window has left.
/// </summary>
public sealed class RequestCountLimiter(TimeProvider time, int limit, TimeSpan window, double budgetFraction)
{
    private readonly Lock _gate = new();
    private readonly Queue<long> _sent = new();
    private readonly long _windowMs = (long)window.TotalMilliseconds;

    public int Limit => limit;

    /// <summary>Requests allowed per window: the budget fraction of the limit.</summary>
    public int Budget { get; } = Math.Max(1, (int)(limit * budgetFraction));

    /// <summary>Requests sent in the last window.</summary>
    public int InWindow
    {
        get
        {
            lock (_gate)
            {
                Expire(time.GetUtcNow().ToUnixTimeMilliseconds());
                return _sent.Count;
            }
        }
    }

    /// <summary>Waits until one more request fits in the window, then counts it.</summary>
    public async Task AcquireAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                Expire(now);
                if (_sent.Count < Budget)
                {
                    _sent.Enqueue(now);
                    return;
                }
                wait = TimeSpan.FromMilliseconds(_sent.Peek() + _windowMs - now + 1);
            }
            await Task.Delay(RequestWeightLimiter.RealDelay(time, wait), cancellationToken);
        }
    }

    private void Expire(long now)
    {
        while (_sent.Count > 0 && _sent.Peek() <= now - _windowMs)
        {
            _sent.Dequeue();
        }
    }
}
