namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// Debian's redis-server as an executable resource, on a port Aspire allocates, bound to 127.0.0.1 with a password
/// (protected mode on) and an append-only file in the data folder (fsync once a second, no RDB snapshots): a crash or
/// restart of Redis keeps the metrics stream, the Alerts consumer group and its pending entries.
/// </summary>
public sealed class RedisServerResource(string name, string command, string dataDirectory, ParameterResource password)
    : ExecutableResource(name, command, dataDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    private EndpointReference? primaryEndpoint;

    public EndpointReference PrimaryEndpoint => primaryEndpoint ??= new(this, EndpointName);

    public ParameterResource Password { get; } = password;

    public string DataDirectory { get; } = dataDirectory;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"{PrimaryEndpoint.Property(EndpointProperty.IPV4Host)}:{PrimaryEndpoint.Property(EndpointProperty.Port)},password={Password}");
}
