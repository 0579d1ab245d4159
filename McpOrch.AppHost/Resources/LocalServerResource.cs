using McpOrch.LocalServers;

namespace McpOrch.AppHost.Resources;

/// <summary>
/// A backing server run from its local binary (no Docker): an Aspire executable listening on one loopback port, chosen
/// when the model is built, with the connection string its clients use, so that <c>WithReference</c> gives a service
/// <c>ConnectionStrings__{name}</c> as the container resources would.
/// </summary>
public sealed class LocalServerResource(string name, ServerCommand command, int port, string? connectionString)
    : ExecutableResource(name, command.FileName, command.WorkingDirectory), IResourceWithConnectionString
{
    public ServerCommand ServerCommand => command;

    public int Port => port;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{connectionString}");
}

/// <summary>A database on a <see cref="LocalServerResource"/> running PostgreSQL, created once the server answers.</summary>
public sealed class LocalDatabaseResource(string name, string databaseName, LocalServerResource server)
    : Resource(name), IResourceWithParent<LocalServerResource>, IResourceWithConnectionString
{
    public string DatabaseName => databaseName;

    public LocalServerResource Parent => server;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{PostgresServer.ConnectionStringFor(server.Port, databaseName)}");
}
