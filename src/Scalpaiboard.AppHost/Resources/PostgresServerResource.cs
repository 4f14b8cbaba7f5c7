namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// Debian's PostgreSQL server as an executable resource (there is no container runtime on our machines): started by
/// <c>postgres-server.sh</c> on a port Aspire allocates, listening on 127.0.0.1 with password authentication.
/// </summary>
public sealed class PostgresServerResource(string name, string command, string workingDirectory, ParameterResource password, string database)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";
    public const string UserName = "postgres";

    private EndpointReference? primaryEndpoint;

    public EndpointReference PrimaryEndpoint => primaryEndpoint ??= new(this, EndpointName);

    public ParameterResource Password { get; } = password;

    public string DatabaseName { get; } = database;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.IPV4Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={UserName};Password={Password};Database={DatabaseName}");
}
