using McpOrch.LocalServers;
using McpOrch.Core.Configuration;
using McpOrch.Core.Plans;
using McpOrch.Core.Runs;
using McpOrch.Testing;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpOrch.IntegrationTests.Runs;

/// <summary>
/// The services' PostgreSQL wiring (<c>TryAddOrchDatabase</c>: Aspire's client integration) through restarts of the
/// server. Each restart leaves Npgsql's pool holding a connection that is dead: the first use after it meets that
/// connection, and must answer as if nothing had happened (EF Core tries again on a new one), not fail: a 500 to the
/// first request, as it used to.
/// </summary>
public sealed class DatabaseRestartTests
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;
    static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    static readonly Plan Plan = Plan.Parse("""
        {"steps": [
          {"id": "a", "tool": "test.sleep_echo", "args": {"ms": 1, "value": "x"}},
          {"id": "b", "tool": "test.sleep_echo", "args": {"ms": 1, "value": "${a}"}}
        ]}
        """);

    [Fact]
    public async Task After_each_PostgreSQL_restart_the_first_read_and_the_first_transaction_succeed()
    {
        using var scratch = ScratchDirectory.Create("db-restart");
        var options = new PostgresServerOptions { DataDirectory = scratch.Combine("postgres"), Port = LoopbackPort.FindFree() };
        var database = await PostgresServer.StartAsync(options, cancellationToken: Cancellation);
        try
        {
            var builder = ServiceHostBuilder.Create([
                new($"ConnectionStrings:{DatabaseHostingExtensions.ConnectionName}", database.ConnectionString),
                // EF Core says at Information when it tries again: proof that each use below met a dead connection.
                new("Logging:LogLevel:Microsoft.EntityFrameworkCore", "Information")]);
            var logs = new RecordedLogs();
            builder.Logging.AddProvider(logs);
            int Retries() => logs.Entries.Count(e => e.EventId.Id == CoreEventId.ExecutionStrategyRetrying.Id);
            Assert.True(builder.TryAddOrchDatabase(new OrchSettings(new OrchOptions(), McpServersConfiguration.Empty, []), migrate: true));
            builder.Services.AddSingleton(TimeProvider.System).AddScoped<RunStore>();
            using var host = builder.Build();
            await host.StartAsync(Cancellation);
            var requested = await UseAsync(host, store => store.CreateAsync("do it", null, Lease, Cancellation));
            var planned = await UseAsync(host, store => store.CreateAsync(null, Plan, Lease, Cancellation));
            Assert.True(await UseAsync(host, store => store.TryLeaseRunAsync(requested.Id, RunState.Pending, RunState.Planning, Lease, Cancellation)));

            async Task<T> AfterRestartAsync<T>(Func<RunStore, Task<T>> use)
            {
                await database.DisposeAsync();
                database = await PostgresServer.StartAsync(options, cancellationToken: Cancellation);
                var before = Retries();
                var result = await UseAsync(host, use);
                Assert.True(Retries() > before, "the connection used after the restart was not a dead one");
                return result;
            }

            // What GET /batch/{id} does.
            Assert.Equal(RunState.Running, (await AfterRestartAsync(store => store.FindAsync(planned.Id, Cancellation)))!.State);
            // What a planner does, in a transaction each.
            Assert.True(await AfterRestartAsync(store => store.SetPlanAsync(requested.Id, Plan, Cancellation)));
            Assert.Equal([("a", 1)], (await AfterRestartAsync(store => store.ScheduleAsync(planned.Id, Lease, Cancellation)))!.Dispatched);
            Assert.Equal((RunState.Canceled, true), await AfterRestartAsync(store => store.CancelAsync(requested.Id, Cancellation)));

            await host.StopAsync(Cancellation);
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    /// <summary>A store in a scope of its own, as each request and message gets.</summary>
    static async Task<T> UseAsync<T>(IHost host, Func<RunStore, Task<T>> use)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await use(scope.ServiceProvider.GetRequiredService<RunStore>());
    }
}
