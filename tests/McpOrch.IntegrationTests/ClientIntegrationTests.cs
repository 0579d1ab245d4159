using System.Diagnostics;
using McpOrch.LocalServers;
using McpOrch.Core.Configuration;
using McpOrch.Core.Runs;
using McpOrch.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using StackExchange.Redis;

namespace McpOrch.IntegrationTests;

/// <summary>
/// How a service wires Aspire's PostgreSQL and Redis client integrations: Redis once however many features share it,
/// one health check each, telemetry only when it is exported, and a Redis that may come up later.
/// </summary>
public sealed class ClientIntegrationTests(PostgresFixture postgres, RedisFixture redis)
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;
    static readonly OrchSettings Settings = new(new OrchOptions(), McpServersConfiguration.Empty, []);

    /// <summary>The database and Redis of the distributed form, asked for as a service's features ask for them.</summary>
    async Task<HostApplicationBuilder> DistributedAsync(params IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var database = await postgres.CreateDatabaseAsync($"clients_{Guid.NewGuid():N}", Cancellation);
        var builder = ServiceHostBuilder.Create(
            [new("ConnectionStrings:orchdb", database), new("ConnectionStrings:redis", redis.ConnectionString), .. settings]);
        Assert.True(builder.TryAddOrchDatabase(Settings, migrate: true));
        // The rate limiter, the catalog and batch runs each ask for Redis.
        for (var feature = 0; feature < 3; feature++)
            Assert.True(builder.TryAddRedisClient());
        return builder;
    }

    [Fact]
    public async Task Health_checks_the_database_and_Redis_once_each_however_many_features_ask_for_Redis()
    {
        using var host = (await DistributedAsync()).Build();
        await host.StartAsync(Cancellation);

        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(Cancellation);

        Assert.Equal(["OrchDbContext", "StackExchange.Redis"], health.Entries.Keys.Order());
        Assert.All(health.Entries, entry => Assert.True(entry.Value.Status == HealthStatus.Healthy, $"{entry.Key}: {entry.Value.Description}"));
        Assert.Single(host.Services.GetServices<IConnectionMultiplexer>());
        await host.StopAsync(Cancellation);
    }

    [Fact]
    public void Without_ConnectionStrings_redis_no_Redis_client_is_registered()
    {
        var builder = ServiceHostBuilder.Create([new("ConnectionStrings:redis", " ")]);

        Assert.False(builder.TryAddRedisClient());
        Assert.DoesNotContain(builder.Services, s => s.ServiceType == typeof(IConnectionMultiplexer));
    }

    [Fact]
    public async Task Without_an_exporter_the_database_and_Redis_clients_collect_no_traces_or_metrics()
    {
        using var host = (await DistributedAsync()).Build();

        Assert.Null(host.Services.GetService<TracerProvider>());
        Assert.Null(host.Services.GetService<MeterProvider>());
    }

    [Fact]
    public async Task With_an_exporter_database_and_Redis_calls_are_exported_as_spans_of_the_trace_that_made_them()
    {
        using var collector = new OtlpReceiver();
        var builder = await DistributedAsync(
            new("OTEL_EXPORTER_OTLP_ENDPOINT", collector.Endpoint),
            new("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            new("OTEL_SERVICE_NAME", "clients-under-test"));
        builder.ConfigureOpenTelemetry();
        string traceId;
        using (var host = builder.Build())
        {
            await host.StartAsync(Cancellation);
            using var source = new ActivitySource("McpOrch.Tests");
            using (var activity = source.StartActivity("work"))
            {
                traceId = activity!.TraceId.ToHexString();
                await using var scope = host.Services.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<OrchDbContext>().Runs.CountAsync(Cancellation);
                await host.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase().StringSetAsync($"clients-{traceId}", "x");
            }
            await host.StopAsync(Cancellation);
        } // Disposing the providers flushes what they hold.

        var spans = collector.Spans.Where(s => string.Equals(s.TraceId, traceId, StringComparison.OrdinalIgnoreCase)).ToList();
        var names = string.Join(", ", spans.Select(s => s.Name));
        var work = Assert.Single(spans, s => s.Name == "work");
        Assert.True(spans.Any(s => s.Name == "SET" && s.ParentSpanId == work.SpanId), $"no Redis span in: {names}");
        // Npgsql names its spans after the database system.
        Assert.True(spans.Any(s => s.Name == "postgresql" && s.ParentSpanId == work.SpanId), $"no database span in: {names}");
        Assert.Contains(collector.Metrics, m => m.Service == "clients-under-test" && m.Metric.StartsWith("db.client.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_Redis_that_is_not_up_yet_is_used_once_it_starts()
    {
        using var scratch = ScratchDirectory.Create("redis-later");
        var port = LoopbackPort.FindFree();
        var builder = ServiceHostBuilder.Create([new("ConnectionStrings:redis", $"127.0.0.1:{port}")]);
        builder.TryAddRedisClient();
        using var host = builder.Build();

        var connection = host.Services.GetRequiredService<IConnectionMultiplexer>();
        Assert.False(connection.IsConnected);
        await using var server = await RedisServer.StartAsync(new() { DataDirectory = scratch.Combine("redis"), Port = port }, cancellationToken: Cancellation);

        for (var deadline = DateTime.UtcNow.AddSeconds(30); !connection.IsConnected; await Task.Delay(100, Cancellation))
            Assert.True(DateTime.UtcNow < deadline, "the client did not connect to Redis within 30 s of its start");
        await connection.GetDatabase().StringSetAsync("later", "here");
        Assert.Equal("here", await connection.GetDatabase().StringGetAsync("later"));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("Information", true)]
    public async Task StackExchange_Redis_logs_below_warnings_only_when_configured_to(string? level, bool shown)
    {
        var builder = ServiceHostBuilder.Create(
            [new("ConnectionStrings:redis", redis.ConnectionString), new("Logging:LogLevel:StackExchange.Redis", level)]);
        var logs = new RecordedLogs();
        builder.Logging.AddProvider(logs);
        builder.TryAddRedisClient();
        using var host = builder.Build();

        await host.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase().PingAsync();

        Assert.Equal(shown, logs.Entries.Any(e => e.Category.StartsWith("StackExchange.Redis", StringComparison.Ordinal) && e.Level < LogLevel.Warning));
    }
}
