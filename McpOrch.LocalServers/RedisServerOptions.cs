namespace McpOrch.LocalServers;

public sealed class RedisServerOptions
{
    /// <summary>The server's working directory (pid file; nothing is persisted: saving is off).</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The loopback port; null picks a free one.</summary>
    public int? Port { get; init; }

    /// <summary>The <c>redis-server</c> binary: a name searched on PATH, or a path.</summary>
    public string Executable { get; init; } = "redis-server";

    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
