using McpOrch.LocalServers;

namespace McpOrch.Testing;

/// <summary>Redis for a test assembly. Tests share it: give keys and channels unique names.</summary>
public sealed class RedisFixture() : BackingServerFixture<RedisServer>("redis")
{
    protected override Task<RedisServer> StartAsync(string dataDirectory, CancellationToken cancellationToken) =>
        RedisServer.StartAsync(new() { DataDirectory = dataDirectory }, cancellationToken: cancellationToken);
}
