namespace McpOrch.LocalServers;

public sealed class RabbitMqServerOptions
{
    /// <summary>The broker's private HOME, database (mnesia), logs and configuration. Reused between runs.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The AMQP port on loopback; null picks a free one. The Erlang ports are always picked free.</summary>
    public int? Port { get; init; }

    /// <summary>The Erlang node name. Its database lives under it, so keep it stable to keep the data.</summary>
    public string NodeName { get; init; } = "mcp-orch@localhost";

    /// <summary>The broker's start script. Run directly: the /usr/sbin wrapper switches users and logs to /var/log.</summary>
    public string ServerScript { get; init; } = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    /// <summary>Erlang's port mapper: a name searched on PATH and in /usr/lib/erlang/erts-*/bin, or a path.</summary>
    public string EpmdExecutable { get; init; } = "epmd";

    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(120);

    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
