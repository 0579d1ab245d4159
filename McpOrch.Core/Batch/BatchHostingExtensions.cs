using MassTransit;
using McpOrch.Core.Catalog;
using McpOrch.Core.Configuration;
using McpOrch.Core.Planning;
using McpOrch.Core.Runs;
using McpOrch.Core.Upstreams;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using McpOrch.Core.Batch;
using McpOrch.Core.Security;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>Wires batch runs into a service, distributed or in one process.</summary>
public static class BatchHostingExtensions
{
    /// <summary>The connection strings of the distributed form, by their Aspire resource names.</summary>
    public static readonly IReadOnlyList<string> ConnectionNames =
        [DatabaseHostingExtensions.ConnectionName, RedisHostingExtensions.ConnectionName, MassTransitRabbitMqExtensions.DefaultConnectionName];

    /// <summary>
    /// Registers the batch services of <paramref name="roles"/>. With every connection string of
    /// <see cref="ConnectionNames"/> set, the service takes part in the distributed form: PostgreSQL, Redis streams
    /// and RabbitMQ. With none set, a service with the <see cref="BatchRoles.Api"/> role runs all roles itself:
    /// SQLite in <c>server.data_dir</c>, in-memory messaging and event streams. Anything else writes what is wrong to
    /// stderr and returns false: the process should exit with code 2.
    /// </summary>
    public static bool TryAddBatch(this IHostApplicationBuilder builder, OrchSettings settings, BatchRoles roles)
    {
        var missing = ConnectionNames.Where(name => string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(name))).ToList();
        var distributed = missing.Count == 0;
        if (!distributed && (missing.Count < ConnectionNames.Count || !roles.HasFlag(BatchRoles.Api)))
            return Refuse(missing.Count < ConnectionNames.Count
                ? $"the distributed form needs every connection string, and {string.Join(", ", missing.Select(m => $"ConnectionStrings__{m}"))} {(missing.Count == 1 ? "is" : "are")} not set. Set {(missing.Count == 1 ? "it" : "them")} too (McpOrch.AppHost does), none for the single-process mode, or --mode proxy to serve no batch runs."
                : $"{builder.Environment.ApplicationName} runs in the distributed form: set ConnectionStrings__orchdb, ConnectionStrings__redis and ConnectionStrings__messaging (McpOrch.AppHost does). To run batches in one process, run mcp-orch alone.");
        if (!distributed)
            roles = BatchRoles.All;
        var options = settings.Options;
        if (roles.HasFlag(BatchRoles.Planner) && !TryValidateLlm(options.Llm, out var problem))
            return Refuse(problem);

        var services = builder.Services;
        if (!builder.TryAddOrchDatabase(settings, migrate: roles.HasFlag(BatchRoles.Api)))
            return false;
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<RunStore>();
        if (distributed)
        {
            builder.TryAddRedisClient();
            services.AddSingleton<IRunEventLog, RedisRunEventLog>();
            services.AddSingleton(s => new RunCancellation(s.GetRequiredService<IConnectionMultiplexer>()));
            services.TryAddSingleton<ICatalogStore, RedisCatalogStore>();
        }
        else
        {
            services.AddSingleton<IRunEventLog, InMemoryRunEventLog>();
            services.AddSingleton(new RunCancellation());
            services.TryAddSingleton<ICatalogStore, InMemoryCatalogStore>();
        }

        if (roles.HasFlag(BatchRoles.Planner))
        {
            services.AddScoped<RunCoordinator>();
            services.AddHostedService<RecoveryService>();
            if (options.Llm.Provider is not null)
                services.AddSingleton(s => new PlanGenerator(
                    ChatClientFactory.Create(options.Llm, s.GetRequiredService<ILoggerFactory>())!, options.Llm, options.Execution));
        }
        if (roles.HasFlag(BatchRoles.Executor))
        {
            if (!services.Any(s => s.ServiceType == typeof(UpstreamRegistry)))
                builder.AddUpstreams();
            builder.AddToolGate();
            services.AddSingleton(s => new StepRunner(s.GetRequiredService<ToolGate>(), s.GetRequiredService<UpstreamRegistry>(), options.Execution));
            services.AddSingleton(new RunSlots(options.Execution.MaxParallelTasks));
            services.AddSingleton(ExecutorIdentity.Create());
            services.AddScoped<StepExecutor>();
        }

        void Consumers(IBusRegistrationConfigurator bus)
        {
            if (roles.HasFlag(BatchRoles.Planner))
            {
                bus.AddConsumer<PlanRunConsumer>();
                bus.AddConsumer<StepFinishedConsumer>();
            }
            if (roles.HasFlag(BatchRoles.Executor))
                bus.AddConsumer<ExecuteStepConsumer, ExecuteStepConsumerDefinition>();
            // A database that is away for a moment: try the message again before it goes to the error queue.
            bus.AddConfigureEndpointsCallback((_, _, endpoint) =>
                endpoint.UseMessageRetry(retry => retry.Exponential(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200))));
        }
        // The service listens only once its bus is up: a readiness probe never sees "masstransit-bus: Not ready: not
        // started", which the health check service logs as an error, on every healthy start.
        services.AddOptions<MassTransitHostOptions>().Configure(host => host.WaitUntilStarted = true);
        if (distributed)
            builder.AddRabbitMqMassTransit(Consumers);
        else
            services.AddMassTransit(bus =>
            {
                Consumers(bus);
                bus.UsingInMemory((context, memory) => memory.ConfigureEndpoints(context));
            });
        return true;
    }

    /// <summary>Builds the chat client once, without a network call, so that an incomplete llm block stops the start.</summary>
    static bool TryValidateLlm(LlmOptions llm, out string problem)
    {
        problem = "";
        try
        {
            (ChatClientFactory.Create(llm, NullLoggerFactory.Instance) as IDisposable)?.Dispose();
            return true;
        }
        catch (OrchConfigurationException e)
        {
            problem = e.Report;
            return false;
        }
    }

    static bool Refuse(string problem)
    {
        Console.Error.WriteLine($"MCP Orch cannot start: {problem}");
        return false;
    }
}
