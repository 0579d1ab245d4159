using McpOrch.LocalServers;

namespace McpOrch.Testing;

/// <summary>PostgreSQL for a test assembly, with the database <c>orchdb</c>; <see cref="CreateDatabaseAsync"/> isolates a test.</summary>
public sealed class PostgresFixture() : BackingServerFixture<PostgresServer>("postgres")
{
    /// <summary>Creates a database of its own for a test; returns its connection string.</summary>
    public Task<string> CreateDatabaseAsync(string database, CancellationToken cancellationToken) =>
        Server.CreateDatabaseAsync(database, cancellationToken);

    protected override Task<PostgresServer> StartAsync(string dataDirectory, CancellationToken cancellationToken) =>
        PostgresServer.StartAsync(new() { DataDirectory = dataDirectory }, cancellationToken: cancellationToken);
}
