namespace Scalpaiboard.Infrastructure.Redis;

/// <summary>Base of every failure the Redis client reports (besides <see cref="TimeoutException"/>).</summary>
public class RedisException : Exception
{
    public RedisException(string message) : base(message) { }

    public RedisException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>The server answered with an error reply (<c>-ERR ...</c>, <c>-WRONGTYPE ...</c>); the message is the server's.</summary>
public sealed class RedisServerException(string message) : RedisException(message)
{
    /// <summary>The error's first word (<c>ERR</c>, <c>WRONGTYPE</c>, <c>BUSYGROUP</c>, <c>NOAUTH</c>...).</summary>
    public string Code => Message.Split(' ', 2)[0];
}

/// <summary>The connection broke (closed socket, reset) while the command was in flight.</summary>
public sealed class RedisConnectionException(string message, Exception? inner = null) : RedisException(message, inner);

/// <summary>The server sent bytes that are not valid RESP; the connection is dropped and re-opened.</summary>
public sealed class RedisProtocolException(string message) : RedisException(message);
