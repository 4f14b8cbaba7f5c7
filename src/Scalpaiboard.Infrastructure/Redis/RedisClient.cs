using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Scalpaiboard.Infrastructure.Redis.Protocol;

[assembly: InternalsVisibleTo("Scalpaiboard.Infrastructure.Tests")]

namespace Scalpaiboard.Infrastructure.Redis;

/// <summary>
/// A small RESP2 client: one pipelined connection shared by every caller, a separate subscriber connection for
/// pub/sub (opened on first subscribe), and leased connections for blocking reads. Services do not use it
/// directly: they inject <see cref="IEventStream"/>, <see cref="ILiveChannel"/> and <see cref="IKeyValueCache"/>.
/// </summary>
public sealed class RedisClient : IAsyncDisposable
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly RedisMetrics _metrics;
    private readonly ReconnectingConnection _commands;
    private readonly BlockingConnectionPool _blocking;
    private readonly Lock _subscriberLock = new();
    private RedisSubscriber? _subscriber;
    private int _disposed;

    public RedisClient(RedisConnectionSettings settings, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        Settings = settings;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<RedisClient>();
        _metrics = new RedisMetrics(meterFactory);
        _commands = new ReconnectingConnection("commands", settings, () => Handshake(selectDatabase: true), null, _metrics, _logger);
        _blocking = new BlockingConnectionPool(settings, () => Handshake(selectDatabase: true), _metrics);
    }

    public RedisClient(string connectionString, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
        : this(RedisConnectionSettings.Parse(connectionString), loggerFactory, meterFactory)
    {
    }

    public RedisConnectionSettings Settings { get; }

    /// <summary>Whether the shared command connection is open right now.</summary>
    public bool IsConnected => _commands.IsConnected;

    /// <summary>Why the command connection is down (the last error), or null.</summary>
    public string? LastError => _commands.LastError;

    private List<RedisRequest> Handshake(bool selectDatabase)
    {
        var requests = new List<RedisRequest>(2);
        if (Settings.Password is { } password)
        {
            requests.Add(Settings.User is { } user
                ? new RedisRequest("AUTH", 2).Add(user).Add(password).Complete()
                : new RedisRequest("AUTH", 1).Add(password).Complete());
        }
        if (selectDatabase && Settings.Database != 0)
        {
            requests.Add(new RedisRequest("SELECT", 1).Add(Settings.Database).Complete());
        }
        return requests;
    }

    /// <summary>Sends a command on the shared pipelined connection and awaits its reply (bounded by the command timeout).</summary>
    internal Task<RespValue> ExecuteAsync(RedisRequest request, CancellationToken cancellationToken) =>
        _commands.SendAsync(request, cancellationToken);

    /// <summary>
    /// Sends a blocking command (e.g. XREADGROUP BLOCK) on a leased connection of its own; the deadline is the
    /// block time plus the command timeout.
    /// </summary>
    internal async Task<RespValue> ExecuteBlockingAsync(RedisRequest request, TimeSpan block, CancellationToken cancellationToken)
    {
        request.Complete();
        _metrics.Command(request.Name);
        var timeout = block + Settings.CommandTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await _blocking.ExecuteAsync(request, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && deadline.IsCancellationRequested)
        {
            _metrics.Error("timeout", request.Name);
            throw new TimeoutException($"Redis {request.Name} timed out after {timeout.TotalMilliseconds:0} ms.");
        }
        catch (RedisServerException)
        {
            _metrics.Error("server", request.Name);
            throw;
        }
        catch (RedisException ex)
        {
            _metrics.Error(ex is RedisProtocolException ? "protocol" : "connection", request.Name);
            throw;
        }
    }

    internal Task<IAsyncDisposable> SubscribeAsync(string channel, bool isPattern, Func<LiveMessage, ValueTask> handler, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return Subscriber.SubscribeAsync(channel, isPattern, handler, cancellationToken);
    }

    private RedisSubscriber Subscriber
    {
        get
        {
            lock (_subscriberLock)
            {
                return _subscriber ??= new RedisSubscriber(Settings, () => Handshake(selectDatabase: false), _metrics,
                    _loggerFactory.CreateLogger<RedisSubscriber>());
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        RedisSubscriber? subscriber;
        lock (_subscriberLock)
        {
            subscriber = _subscriber;
        }
        if (subscriber is not null)
        {
            await subscriber.DisposeAsync().ConfigureAwait(false);
        }
        await _commands.DisposeAsync().ConfigureAwait(false);
        await _blocking.DisposeAsync().ConfigureAwait(false);
        _metrics.Dispose();
    }
}
