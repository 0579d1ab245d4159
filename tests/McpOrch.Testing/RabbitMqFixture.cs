using McpOrch.LocalServers;

namespace McpOrch.Testing;

/// <summary>RabbitMQ for a test assembly. Tests share it: give queues and message types unique names.</summary>
public sealed class RabbitMqFixture() : BackingServerFixture<RabbitMqServer>("rabbitmq")
{
    protected override Task<RabbitMqServer> StartAsync(string dataDirectory, CancellationToken cancellationToken) =>
        RabbitMqServer.StartAsync(new() { DataDirectory = dataDirectory }, cancellationToken: cancellationToken);
}
