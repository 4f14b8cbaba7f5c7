using StackExchange.Redis;

namespace Scalpaiboard.Infrastructure.Redis;

/// <summary>
/// <see cref="IEventStream"/> over Redis streams and consumer groups through StackExchange.Redis's one multiplexed
/// connection. StackExchange.Redis never sends a blocking command (XREADGROUP BLOCK would stall every other command on
/// that connection), so each append also publishes a wake-up on <c>{stream}:appended</c> (fire and forget, pipelined
/// right behind the XADD, so Redis has the entry before the wake-up goes out), and a reader that finds nothing waits
/// for that wake-up (or its <c>block</c> time, the fallback poll when a wake-up is lost) and reads again.
/// </summary>
public sealed class RedisEventStream(IConnectionMultiplexer redis) : IEventStream
{
    /// <summary>Real time, whatever clock the service runs on: entry ids and the wait for a wake-up are wall clock.</summary>
    private static readonly TimeProvider time = TimeProvider.System;
    private readonly Dictionary<string, WakeUp> _wakeUps = new(StringComparer.Ordinal);

    /// <summary>The pub/sub channel an append to <paramref name="stream"/> announces itself on.</summary>
    public static RedisChannel AppendedChannel(string stream) => RedisChannel.Literal(stream + ":appended");

    public Task<string> AppendAsync(string stream, IReadOnlyList<KeyValuePair<string, string>> fields, StreamTrim trim, CancellationToken cancellationToken)
    {
        var pairs = new NameValueEntry[fields.Count];
        for (var i = 0; i < pairs.Length; i++)
        {
            pairs[i] = new NameValueEntry(fields[i].Key, fields[i].Value);
        }
        return AppendAsync(stream, pairs, trim);
    }

    public Task<string> AppendBinaryAsync(string stream, IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> fields, StreamTrim trim,
        CancellationToken cancellationToken) => AppendAsync(stream, Pairs(fields), trim);

    public async Task<IReadOnlyList<string>> AppendBinaryBatchAsync(string stream,
        IReadOnlyList<IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>> entries, StreamTrim trim, CancellationToken cancellationToken)
    {
        switch (entries.Count)
        {
            case 0:
                return [];
            case 1:
                // One command is all or nothing by itself: no transaction needed.
                return [await AppendAsync(stream, Pairs(entries[0]), trim).ConfigureAwait(false)];
        }
        var options = Options(trim);
        var transaction = redis.GetDatabase().CreateTransaction();
        var appends = new Task<RedisValue>[entries.Count];
        for (var i = 0; i < appends.Length; i++)
        {
            appends[i] = transaction.StreamAddAsync(stream, Pairs(entries[i]), options);
        }
        var committed = transaction.ExecuteAsync();
        Announce(stream);
        if (!await committed.ConfigureAwait(false))
        {
            throw new RedisException($"The MULTI/EXEC of {entries.Count} XADDs to {stream} was not committed.");
        }
        var ids = new string[appends.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = (await appends[i].ConfigureAwait(false)).ToString();
        }
        return ids;
    }

    private async Task<string> AppendAsync(string stream, NameValueEntry[] pairs, StreamTrim trim)
    {
        if (pairs.Length == 0)
        {
            throw new ArgumentException("A stream entry needs at least one field.", nameof(pairs));
        }
        var added = redis.GetDatabase().StreamAddAsync(stream, pairs, Options(trim));
        Announce(stream);
        return (await added.ConfigureAwait(false)).ToString();
    }

    /// <summary>The wake-up behind an append: fire and forget (a lost one costs a reader its fallback poll, nothing else).</summary>
    private void Announce(string stream) =>
        redis.GetDatabase().Publish(AppendedChannel(stream), 1, CommandFlags.FireAndForget);

    private StreamAddOptions Options(StreamTrim trim)
    {
        if (trim.MaxAge > TimeSpan.Zero)
        {
            // Entry ids are the append time in Unix ms: MINID drops whatever was appended before now - MaxAge.
            var minId = (time.GetUtcNow() - trim.MaxAge).ToUnixTimeMilliseconds();
            return new StreamAddOptions { MinId = $"{minId}-0", Approximate = true };
        }
        return trim.MaxLength > 0 ? new StreamAddOptions { MaxLength = trim.MaxLength, Approximate = true } : default;
    }

    private static NameValueEntry[] Pairs(IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> fields)
    {
        var pairs = new NameValueEntry[fields.Count];
        for (var i = 0; i < pairs.Length; i++)
        {
            pairs[i] = new NameValueEntry(fields[i].Key, fields[i].Value);
        }
        return pairs;
    }

    public async Task EnsureGroupAsync(string stream, string group, string startId, CancellationToken cancellationToken)
    {
        try
        {
            await redis.GetDatabase().StreamCreateConsumerGroupAsync(stream, group, startId, createStream: true).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // The group exists already: that is what we wanted.
        }
    }

    public async Task<IReadOnlyList<StreamEntry>> ReadGroupAsync(string stream, string group, string consumer, string fromId, int count, TimeSpan block,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var database = redis.GetDatabase();
        if (block <= TimeSpan.Zero || fromId != ">")
        {
            return Entries(await database.StreamReadGroupAsync(stream, group, consumer, fromId, count).ConfigureAwait(false));
        }
        var wakeUp = await WakeUpAsync(stream).ConfigureAwait(false);
        var deadline = time.GetTimestamp() + (long)(block.TotalSeconds * time.TimestampFrequency);
        while (true)
        {
            // Taken before the read: an append between this read and the wait below still wakes it.
            var appended = wakeUp.Next;
            var entries = await database.StreamReadGroupAsync(stream, group, consumer, fromId, count).ConfigureAwait(false);
            var left = TimeSpan.FromSeconds((double)(deadline - time.GetTimestamp()) / time.TimestampFrequency);
            if (entries.Length > 0 || left <= TimeSpan.Zero)
            {
                return Entries(entries);
            }
            try
            {
                await appended.WaitAsync(left, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The fallback poll: read once more and return what is there.
            }
        }
    }

    /// <summary>The stream's wake-up, subscribed on first use (StackExchange.Redis resubscribes after a reconnect).</summary>
    private async Task<WakeUp> WakeUpAsync(string stream)
    {
        WakeUp? wakeUp;
        lock (_wakeUps)
        {
            if (!_wakeUps.TryGetValue(stream, out wakeUp))
            {
                _wakeUps[stream] = wakeUp = new WakeUp();
            }
        }
        if (!wakeUp.Subscribed)
        {
            try
            {
                await redis.GetSubscriber().SubscribeAsync(AppendedChannel(stream), (_, _) => wakeUp.Signal()).ConfigureAwait(false);
                wakeUp.Subscribed = true;
            }
            catch (RedisException)
            {
                // Redis is unreachable: the reader polls at its block interval until the subscription succeeds.
            }
        }
        return wakeUp;
    }

    public async Task<long> AcknowledgeAsync(string stream, string group, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return 0;
        }
        var values = new RedisValue[ids.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ids[i];
        }
        return await redis.GetDatabase().StreamAcknowledgeAsync(stream, group, values).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StreamEntry>> ClaimIdleAsync(string stream, string group, string consumer, TimeSpan minIdle, int count,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var result = await redis.GetDatabase().StreamAutoClaimAsync(stream, group, consumer, Math.Max(0, (long)minIdle.TotalMilliseconds), "0-0", count)
            .ConfigureAwait(false);
        return Entries(result.ClaimedEntries);
    }

    public async Task<IReadOnlyList<PendingEntry>> PendingAsync(string stream, string group, int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var pending = await redis.GetDatabase().StreamPendingMessagesAsync(stream, group, count, RedisValue.Null, "-", "+").ConfigureAwait(false);
        var result = new List<PendingEntry>(pending.Length);
        foreach (var p in pending)
        {
            result.Add(new PendingEntry(p.MessageId.ToString(), p.ConsumerName.ToString(), TimeSpan.FromMilliseconds(p.IdleTimeInMilliseconds), p.DeliveryCount));
        }
        return result;
    }

    public async Task<long> LengthAsync(string stream, CancellationToken cancellationToken) =>
        await redis.GetDatabase().StreamLengthAsync(stream).ConfigureAwait(false);

    private static List<StreamEntry> Entries(StackExchange.Redis.StreamEntry[] entries)
    {
        var result = new List<StreamEntry>(entries.Length);
        foreach (var entry in entries)
        {
            if (entry.Id.IsNull)
            {
                continue;
            }
            // An entry deleted while pending comes back without fields: keep its id so it can be acknowledged.
            var values = entry.Values ?? [];
            var fields = new Dictionary<string, ReadOnlyMemory<byte>>(values.Length, StringComparer.Ordinal);
            foreach (var pair in values)
            {
                fields[pair.Name.ToString()] = (byte[]?)pair.Value ?? [];
            }
            result.Add(new StreamEntry(entry.Id.ToString(), fields));
        }
        return result;
    }

    /// <summary>A stream's appends as seen by this process's subscription: each one completes the task readers wait on.</summary>
    private sealed class WakeUp
    {
        private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public volatile bool Subscribed;

        public Task Next => Volatile.Read(ref _next).Task;

        public void Signal() =>
            Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
