using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Scalpaiboard.Infrastructure.Redis;

/// <summary>The client's meter (<c>Scalpaiboard.Redis</c>): commands sent, errors by kind, reconnects by connection.</summary>
internal sealed class RedisMetrics : IDisposable
{
    public const string MeterName = "Scalpaiboard.Redis";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _commands;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _reconnects;

    public RedisMetrics(IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _commands = _meter.CreateCounter<long>("scalpaiboard.redis.commands", "{command}", "Commands sent to Redis.");
        _errors = _meter.CreateCounter<long>("scalpaiboard.redis.errors", "{error}", "Failed Redis commands, by kind (server, timeout, connection, protocol).");
        _reconnects = _meter.CreateCounter<long>("scalpaiboard.redis.reconnects", "{reconnect}", "Connections re-opened after a loss, by connection role.");
    }

    public void Command(string name) => _commands.Add(1, new KeyValuePair<string, object?>("command", name));

    public void Error(string kind, string command) =>
        _errors.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("command", command));

    public void Reconnect(string role) => _reconnects.Add(1, new KeyValuePair<string, object?>("connection", role));

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}

internal static partial class RedisLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Redis {Role} connection open to {Endpoint}")]
    public static partial void Connected(ILogger logger, string role, string endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis {Role} connection to {Endpoint} lost: {Reason}")]
    public static partial void ConnectionLost(ILogger logger, string role, string endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis {Role} connection to {Endpoint} failed (attempt {Attempt}), retrying in {DelayMs} ms: {Reason}")]
    public static partial void ConnectFailed(ILogger logger, string role, string endpoint, int attempt, long delayMs, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis subscriber resubscribed {Count} channels and patterns")]
    public static partial void Resubscribed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handler of Redis channel {Channel} threw")]
    public static partial void HandlerFailed(ILogger logger, string channel, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis {Kind} {Channel} is registered but not yet confirmed by the server ({Reason}); it will be subscribed when the connection is back")]
    public static partial void SubscribeDeferred(ILogger logger, string kind, string channel, string reason);
}
