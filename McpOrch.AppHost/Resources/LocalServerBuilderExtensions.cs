using McpOrch.LocalServers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace McpOrch.AppHost.Resources;

/// <summary>
/// PostgreSQL, Redis and RabbitMQ as Aspire resources run from their local binaries, for run mode without Docker. Each
/// runs the command its launcher in <c>BackingServers/</c> gives (the one the test fixtures run), after the launcher has
/// prepared its data folder, and is healthy once it answers its own protocol.
/// </summary>
/// <remarks>A missing binary throws <see cref="BackingServerException"/> here, while the model is built: its message says what to install.</remarks>
public static class LocalServerBuilderExtensions
{
    /// <summary>PostgreSQL with the database <paramref name="databaseName"/>, created once the server answers.</summary>
    public static IResourceBuilder<LocalDatabaseResource> AddLocalPostgres(this IDistributedApplicationBuilder builder, string name, string databaseName, string dataDirectory)
    {
        var options = new PostgresServerOptions { DataDirectory = dataDirectory, DatabaseName = databaseName };
        var port = LoopbackPort.FindFree();
        var server = builder.AddLocalServer(name, PostgresServer.Command(options, port), port,
            PostgresServer.ConnectionStringFor(port, PostgresServer.MaintenanceDatabase),
            (logger, ct) => PostgresServer.PrepareAsync(options, logger, ct),
            ct => PostgresServer.AnswersQueriesAsync(port, PostgresServer.MaintenanceDatabase, ct));
        var check = builder.AddProbe($"{databaseName}_answers", ct => PostgresServer.AnswersQueriesAsync(port, databaseName, ct));
        // Aspire passes a parent's state on to its children only for containers: the database says itself when it is there.
        var database = builder.AddResource(new LocalDatabaseResource(databaseName, databaseName, server.Resource))
            .WithInitialState(new CustomResourceSnapshot { ResourceType = "PostgresDatabase", State = KnownResourceStates.Waiting, Properties = [] })
            .WithHealthCheck(check);
        server.OnResourceReady(async (_, e, ct) =>
        {
            await PostgresServer.CreateDatabaseAsync(port, databaseName, ct);
            await e.Services.GetRequiredService<ResourceNotificationService>().PublishUpdateAsync(database.Resource,
                s => s with { State = KnownResourceStates.Running, StartTimeStamp = DateTime.UtcNow });
        });
        return database;
    }

    /// <summary>Redis without persistence.</summary>
    public static IResourceBuilder<LocalServerResource> AddLocalRedis(this IDistributedApplicationBuilder builder, string name, string dataDirectory)
    {
        var options = new RedisServerOptions { DataDirectory = dataDirectory };
        var port = LoopbackPort.FindFree();
        return builder.AddLocalServer(name, RedisServer.Command(options, port), port, RedisServer.ConnectionStringFor(port),
            (logger, ct) => RedisServer.PrepareAsync(options, logger, ct),
            ct => RedisServer.AnswersPingAsync(port, ct));
    }

    /// <summary>RabbitMQ, and its own Erlang port mapper as the child resource <c>{name}-epmd</c> (so that none is left behind).</summary>
    public static IResourceBuilder<LocalServerResource> AddLocalRabbitMq(this IDistributedApplicationBuilder builder, string name, string dataDirectory)
    {
        var options = new RabbitMqServerOptions { DataDirectory = dataDirectory };
        var (port, distributionPort, epmdPort) = (LoopbackPort.FindFree(), LoopbackPort.FindFree(), LoopbackPort.FindFree());
        var broker = builder.AddLocalServer(name, RabbitMqServer.BrokerCommand(options, port, distributionPort, epmdPort), port,
            RabbitMqServer.ConnectionStringFor(port),
            (logger, ct) => RabbitMqServer.PrepareAsync(options, logger, ct),
            ct => RabbitMqServer.AmqpAnswersAsync(port, ct));
        var epmd = builder.AddLocalServer($"{name}-epmd", RabbitMqServer.EpmdCommand(options, epmdPort), epmdPort, null,
            // Its working folder is the broker's, which may not exist yet: the broker's preparation runs after it starts.
            (_, _) => Task.FromResult(Directory.CreateDirectory(options.DataDirectory)),
            ct => RabbitMqServer.EpmdAnswersAsync(epmdPort, ct))
            .WithParentRelationship(broker);
        return broker.WaitFor(epmd);
    }

    static IResourceBuilder<LocalServerResource> AddLocalServer(this IDistributedApplicationBuilder builder, string name, ServerCommand command,
        int port, string? connectionString, Func<ILogger, CancellationToken, Task> prepare, Func<CancellationToken, Task<bool>> probe)
    {
        var check = builder.AddProbe($"{name}_answers", probe);
        var server = builder.AddResource(new LocalServerResource(name, command, port, connectionString))
            .WithArgs([.. command.Arguments])
            .WithEndpoint(port: port, targetPort: port, scheme: "tcp", name: "tcp", isProxied: false)
            .WithHealthCheck(check)
            .OnBeforeResourceStarted((resource, e, ct) => prepare(e.Services.GetRequiredService<ResourceLoggerService>().GetLogger(resource), ct));
        foreach (var (variable, value) in command.Environment ?? new Dictionary<string, string>())
            server.WithEnvironment(variable, value);
        return server;
    }

    /// <summary>A health check that is healthy while <paramref name="probe"/> says so; a probe that throws means unhealthy.</summary>
    static string AddProbe(this IDistributedApplicationBuilder builder, string name, Func<CancellationToken, Task<bool>> probe)
    {
        builder.Services.AddHealthChecks().AddAsyncCheck(name, async ct =>
            await probe(ct) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy($"{name}: no answer yet"));
        return name;
    }
}
