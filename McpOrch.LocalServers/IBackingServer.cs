namespace McpOrch.LocalServers;

/// <summary>
/// A server the services depend on (PostgreSQL, Redis, RabbitMQ), run as a child process on loopback.
/// Disposing it stops it by pid; nothing it started is left running.
/// </summary>
public interface IBackingServer : IAsyncDisposable
{
    /// <summary>The resource name the AppHost shows: <c>postgres</c>, <c>redis</c>, <c>messaging</c>.</summary>
    string ResourceName { get; }

    /// <summary>The key services read the connection string from: <c>ConnectionStrings:{ConnectionName}</c>.</summary>
    string ConnectionName { get; }

    /// <summary>The loopback port clients connect to.</summary>
    int Port { get; }

    /// <summary>The connection string in the format Aspire hands to its client integrations.</summary>
    string ConnectionString { get; }

    /// <summary>
    /// The server's process tree when it became ready, the launched process first, for leak checks.
    /// Some members may be short-lived (a PostgreSQL backend, an Erlang port program).
    /// </summary>
    IReadOnlyList<int> ProcessIds { get; }

    /// <summary>Stops the server gracefully; kills its process tree if it does not stop in time.</summary>
    Task StopAsync(CancellationToken cancellationToken = default);
}
