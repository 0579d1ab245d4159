using System.Text.Json.Nodes;
using McpOrch.AppHost;
using McpOrch.AppHost.Services;
using McpOrch.IntegrationTests.Batch;
using McpOrch.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpOrch.IntegrationTests;

/// <summary>
/// The AppHost started in-process, as Aspire.Hosting.Testing starts one: its own PostgreSQL, Redis and RabbitMQ, and
/// every service as a process of its own.
/// </summary>
[Collection(WholeSystems.Name)]
public sealed class AppHostTests(PostgresFixture postgres, RedisFixture redis, RabbitMqFixture rabbit) : IDisposable
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;
    readonly ScratchDirectory _folder = ScratchDirectory.Create("apphost");
    readonly List<string> _output = [];

    public void Dispose() => _folder.Dispose();

    McpOrchApp Create(bool embedded, OtlpReceiver? telemetry = null, IReadOnlyDictionary<string, string>? connectionStrings = null)
    {
        var config = new JsonObject { ["mcpServers"] = new JsonObject { ["slow"] = TestServer.Command().ToMcpServerEntry() } };
        File.WriteAllText(_folder.Combine("mcp-config.json"), config.ToJsonString());
        var options = new AppHostOptions
        {
            Embedded = embedded,
            DataRoot = _folder.Combine("data"),
            WorkingDirectory = _folder.Path,
            ProxyPort = 0,
            DashboardPort = 0,
            // A short lease, so that a killed executor's step moves on within seconds.
            ServiceArguments = ["--McpOrch:Execution:StepLease=10s", $"--McpOrch:Security:ApiKey={TestCredentials.AdminKey}"],
            ConnectionStrings = connectionStrings ?? new Dictionary<string, string>(),
            OtlpEndpoint = telemetry?.Endpoint,
            OtlpProtocol = telemetry is null ? null : "http/protobuf",
        };
        return new McpOrchApp(options, NullLoggerFactory.Instance, (name, line) => { lock (_output) _output.Add($"{name} | {line}"); }, () => { });
    }

    /// <summary>The batch API of the app's Proxy.Api; failures show the services' output.</summary>
    BatchClient Batch(HttpClient http) => new(http, () => { lock (_output) return string.Join("\n", _output); });

    /// <summary>No process of <paramref name="pids"/> is left (a zombie that init has yet to reap does not count).</summary>
    static void AssertAllGone(IEnumerable<int> pids)
    {
        var alive = pids.Select(pid => (pid, State: Status(pid))).Where(p => p.State is { } state && !state.StartsWith('Z')).ToList();
        Assert.True(alive.Count == 0, "still running after the AppHost stopped: "
            + string.Join("; ", alive.Select(p => $"{p.pid} ({p.State}) {Command(p.pid)}")));
    }

    static string? Status(int pid)
    {
        try
        {
            return File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("State:", StringComparison.Ordinal))?[6..].Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    static string Command(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    [Fact]
    public async Task The_distributed_system_runs_a_batch_in_one_trace_survives_a_killed_executor_and_leaves_no_process_when_stopped()
    {
        using var telemetry = new OtlpReceiver();
        // Every second instead of every minute (the services inherit this process's environment).
        Environment.SetEnvironmentVariable("OTEL_METRIC_EXPORT_INTERVAL", "1000");
        var app = Create(embedded: false, telemetry);
        await using (app)
        {
            await app.StartAsync(Cancellation);
            Assert.Equal(["postgres", "redis", "messaging", "proxy-api", "planner-worker", "executor-worker-0", "executor-worker-1", "dashboard-web"],
                app.Resources.Select(r => r.Name));
            Assert.All(app.Resources, r => Assert.Equal(ResourceState.Running, r.State));
            using var http = new HttpClient { BaseAddress = app.Proxy.Url }.WithApiKey();
            var batch = Batch(http);

            // One trace from the request through RabbitMQ, the planner and an executor to the MCP call.
            var traced = await batch.SubmitPlanAsync("""{"steps": [{"id": "one", "tool": "slow.sleep_echo", "args": {"ms": 1, "value": "traced"}}]}""");
            Assert.Equal("Completed", (await batch.WaitForEndAsync(traced))["state"]!.GetValue<string>());
            OtlpReceiver.Span? call = null;
            for (var deadline = DateTime.UtcNow.AddSeconds(30); call is null; await Task.Delay(200, Cancellation))
            {
                Assert.True(DateTime.UtcNow < deadline, "no tools/call span arrived: " + string.Join(", ", telemetry.Spans.Select(s => $"{s.Service}: {s.Name}").Distinct()));
                call = telemetry.Spans.FirstOrDefault(s => s.Name == "tools/call slow.sleep_echo" && s.Service.StartsWith("executor-worker", StringComparison.Ordinal));
            }
            for (var deadline = DateTime.UtcNow.AddSeconds(15); ; await Task.Delay(200, Cancellation))
            {
                var trace = telemetry.Spans.Where(s => s.TraceId == call.TraceId).ToList();
                if (trace.Any(s => s.Service == "proxy-api" && s.Name == "POST /batch/execute") && trace.Any(s => s.Service == "planner-worker"))
                    break;
                Assert.True(DateTime.UtcNow < deadline, "the trace of the MCP call does not reach back to the request: "
                    + string.Join(", ", trace.Select(s => $"{s.Service}: {s.Name} ({s.SpanId} < {s.ParentSpanId})"))
                    + "\nthe run's messages in every trace: " + string.Join(", ", telemetry.Spans
                        .Where(s => s.Name.Contains("PlanRun", StringComparison.Ordinal) || s.Name.Contains("ExecuteStep", StringComparison.Ordinal)
                            || s.Name.StartsWith("recovery", StringComparison.Ordinal) || s.Name == "POST /batch/execute")
                        .Select(s => $"{s.Service}: {s.Name} ({s.TraceId}/{s.SpanId} < {s.ParentSpanId})")));
            }

            // Tool calls by server and tool, steps by state, and queue waits, from the executors.
            string[] metrics = ["mcp_orch.tool_call.duration", "mcp_orch.batch.steps", "mcp_orch.batch.queue_wait"];
            for (var deadline = DateTime.UtcNow.AddSeconds(15); !metrics.All(m => telemetry.Metrics.Contains((call.Service, m))); await Task.Delay(200, Cancellation))
                Assert.True(DateTime.UtcNow < deadline, $"{call.Service} sent only: " + string.Join(", ", telemetry.Metrics.Where(m => m.Service == call.Service).Select(m => m.Metric)));

            var id = await batch.SubmitPlanAsync("""
                {"steps": [
                  {"id": "long", "tool": "slow.sleep_echo", "args": {"ms": 4000, "value": "survived"}},
                  {"id": "after", "tool": "slow.sleep_echo", "args": {"ms": 1, "value": "${long} the kill"}}
                ]}
                """);
            var running = await batch.WaitForAsync(id, s => BatchClient.Step(s, "long")["executor"] is not null, "an executor to take the step");
            var owner = BatchClient.Step(running, "long")["executor"]!.GetValue<string>();
            var victim = app.Services.Single(s => s.Name.StartsWith("executor-worker", StringComparison.Ordinal) && owner.Contains($"/{s.Snapshot.Pid}/", StringComparison.Ordinal));

            await victim.KillAsync();
            var end = await batch.WaitForEndAsync(id);

            Assert.True(end["state"]!.GetValue<string>() == "Completed", end.ToJsonString());
            Assert.Equal(2, BatchClient.Step(end, "long")["dispatch"]!.GetValue<int>());
            var result = await batch.ResultAsync(id);
            Assert.Equal("survived the kill", result["outputs"]!["after"]!.GetValue<string>());
            for (var deadline = DateTime.UtcNow.AddSeconds(30); victim.Snapshot is not { State: ResourceState.Running, Restarts: 1 }; await Task.Delay(100, Cancellation))
                Assert.True(DateTime.UtcNow < deadline, $"the killed executor was not restarted: {victim.Snapshot}");

            await app.StopAsync(Cancellation);
            Assert.All(app.Resources, r => Assert.Equal(ResourceState.Stopped, r.State));
        }
        AssertAllGone(app.ProcessIds);
    }

    [Fact]
    public async Task Connection_strings_from_configuration_are_used_as_they_are_and_no_backing_server_is_started()
    {
        var app = Create(embedded: false, connectionStrings: new Dictionary<string, string>
        {
            ["orchdb"] = await postgres.CreateDatabaseAsync($"apphost_{Guid.NewGuid():N}", Cancellation),
            // Database 15 is this test's; the batch tests use 1 to 14.
            ["redis"] = $"{redis.ConnectionString},defaultDatabase=15",
            ["messaging"] = rabbit.ConnectionString,
        });
        await using (app)
        {
            await app.StartAsync(Cancellation);

            Assert.All(app.Resources.Take(3), r => Assert.Equal((ResourceState.Running, (int?)null, "(from configuration)"), (r.State, r.Pid, r.Url)));
            Assert.False(Directory.Exists(Path.Combine(_folder.Path, "data", "postgres")));
            using var http = new HttpClient { BaseAddress = app.Proxy.Url }.WithApiKey();
            var batch = Batch(http);
            var id = await batch.SubmitPlanAsync("""{"steps": [{"id": "a", "tool": "slow.sleep_echo", "args": {"ms": 1, "value": "given"}}]}""");
            Assert.Equal("Completed", (await batch.WaitForEndAsync(id))["state"]!.GetValue<string>());
        }
        AssertAllGone(app.ProcessIds);
    }

    [Fact]
    public async Task Embedded_runs_batches_in_one_process_with_the_dashboard_and_no_backing_server()
    {
        var app = Create(embedded: true);
        await using (app)
        {
            await app.StartAsync(Cancellation);
            Assert.Equal(["proxy-api", "dashboard-web"], app.Resources.Select(r => r.Name));

            using var http = new HttpClient { BaseAddress = app.Proxy.Url }.WithApiKey();
            var batch = Batch(http);
            var id = await batch.SubmitPlanAsync("""{"steps": [{"id": "a", "tool": "slow.sleep_echo", "args": {"ms": 1, "value": "embedded"}}]}""");

            Assert.Equal("Completed", (await batch.WaitForEndAsync(id))["state"]!.GetValue<string>());
            Assert.True(File.Exists(Path.Combine(_folder.Path, "data", "embedded", "mcp-orch.db")));
            using var dashboard = new HttpClient { BaseAddress = app.Services[^1].Url };
            Assert.Contains("<h1>MCP Orch</h1>", await dashboard.GetStringAsync("/", Cancellation));
        }
        AssertAllGone(app.ProcessIds);
    }
}
