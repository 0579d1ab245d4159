using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using McpOrch.AppHost.Resources;
using McpOrch.LocalServers;
using McpOrch.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace McpOrch.AppHost.Tests;

/// <summary>
/// The AppHost through Aspire.Hosting.Testing: DCP runs its own PostgreSQL, Redis and RabbitMQ from the local binaries,
/// and every service as a process of its own.
/// </summary>
[Collection(WholeSystems.Name)]
public sealed class AppHostTests(PostgresFixture postgres, RedisFixture redis, RabbitMqFixture rabbit) : IDisposable
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;
    static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    readonly ScratchDirectory _folder = ScratchDirectory.Create("apphost");
    readonly List<ResourceEvent> _events = [];

    public void Dispose() => _folder.Dispose();

    /// <summary>
    /// Builds the AppHost with <paramref name="args"/> (after the test's data folder, free ports and an MCP configuration
    /// with the test server as <c>slow</c>), gives every service the test key and a short step lease, starts it and waits
    /// until every resource is healthy. Every resource event is kept in <see cref="_events"/>.
    /// </summary>
    async Task<DistributedApplication> StartAsync(params string[] args) => await StartAsync(null, args);

    /// <inheritdoc cref="StartAsync(string[])"/>
    /// <param name="telemetry">Where the services send their OTLP, instead of the Aspire dashboard.</param>
    async Task<DistributedApplication> StartAsync(OtlpReceiver? telemetry, params string[] args)
    {
        var config = new JsonObject { ["mcpServers"] = new JsonObject { ["slow"] = TestServer.Command().ToMcpServerEntry() } };
        File.WriteAllText(_folder.Combine("mcp-config.json"), config.ToJsonString());
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.McpOrch_AppHost>(
            ["--data", _folder.Combine("data"), "--proxy-port", "0", "--dashboard-port", "0", "--config", _folder.Combine("mcp-config.json"), .. args],
            Cancellation);
        foreach (var service in builder.Resources.OfType<ProjectResource>())
            builder.CreateResourceBuilder(service)
                .WithEnvironment("API_KEY", TestCredentials.AdminKey)
                // A short lease, so that a killed executor's step moves on within seconds.
                .WithEnvironment("McpOrch__Execution__StepLease", "10s");
        if (telemetry is not null)
            foreach (var service in builder.Resources.OfType<ProjectResource>())
                // After Aspire's own OTLP settings, so these win.
                builder.CreateResourceBuilder(service)
                    .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", telemetry.Endpoint)
                    .WithEnvironment("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");

        var app = await builder.BuildAsync(Cancellation);
        _ = WatchAsync(app);
        await app.StartAsync(Cancellation).WaitAsync(StartTimeout, Cancellation);
        foreach (var resource in Model(app).Resources.Where(r => r.Annotations.OfType<HealthCheckAnnotation>().Any()))
            await app.ResourceNotifications.WaitForResourceHealthyAsync(resource.Name, Cancellation).WaitAsync(StartTimeout, Cancellation);
        return app;
    }

    async Task WatchAsync(DistributedApplication app)
    {
        try
        {
            await foreach (var e in app.ResourceNotifications.WatchAsync(Cancellation))
                lock (_events)
                    _events.Add(e);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The resources of MCP Orch, without Aspire's own (its dashboard, a hidden "rebuilder" per project).</summary>
    static IEnumerable<string> Names(DistributedApplication app) => Model(app).Resources
        .Where(r => r.Name != "aspire-dashboard" && !r.Name.EndsWith("-rebuilder", StringComparison.Ordinal)).Select(r => r.Name).Order();

    static DistributedApplicationModel Model(DistributedApplication app) => app.Services.GetRequiredService<DistributedApplicationModel>();

    IReadOnlyList<ResourceEvent> Events
    {
        get { lock (_events) return [.. _events]; }
    }

    /// <summary>The process of every resource instance seen so far, with its descendants (a service under <c>dotnet run</c>, PostgreSQL's backends).</summary>
    ProcessTree Processes() => Events
        .SelectMany(e => e.Snapshot.Properties.Where(p => p.Name == "executable.pid").Select(p => Convert.ToInt32(p.Value)))
        .Distinct()
        .Select(ProcessTree.Capture)
        .Aggregate(ProcessTree.Capture(-1), (all, tree) => all.With(tree));

    /// <summary>Stops the app, and checks that none of its processes is left.</summary>
    static async Task StopAsync(DistributedApplication app, ProcessTree processes)
    {
        Assert.NotEmpty(processes.ProcessIds);
        await app.StopAsync(Cancellation);
        await app.DisposeAsync();
        for (var deadline = DateTime.UtcNow.AddSeconds(30); processes.Survivors().Count > 0; await Task.Delay(200, Cancellation))
            Assert.True(DateTime.UtcNow < deadline, "still running after the AppHost stopped: " + ProcessList.Describe(processes.Survivors()));
    }

    static Task<ExecuteCommandResult> ReloadAsync(DistributedApplication app, string key) =>
        app.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync("proxy-api", ReloadCommand.Name,
            new InteractionInputCollection([new InteractionInput { Name = ReloadCommand.KeyArgument, InputType = InputType.SecretText, Value = key }]),
            Cancellation);

    /// <summary>The batch API of the app's Proxy.Api; failures show the resources' states.</summary>
    BatchClient Batch(DistributedApplication app) =>
        new(app.CreateHttpClient("proxy-api").WithApiKey(), () => string.Join("\n", Events.GroupBy(e => e.ResourceId)
            .Select(g => $"{g.Key}: {g.Last().Snapshot.State?.Text} ({g.Last().Snapshot.HealthStatus})")));

    [Fact]
    public async Task The_distributed_system_runs_a_batch_in_one_trace_replaces_a_killed_executor_and_leaves_no_process_when_stopped()
    {
        using var telemetry = new OtlpReceiver();
        var app = await StartAsync(telemetry);

        Assert.Equal(["dashboard-web", "executor-worker", "messaging", "messaging-epmd", "orchdb", "planner-worker", "postgres", "proxy-api", "redis"],
            Names(app));
        Assert.Equal(2, Events.Where(e => e.Resource.Name == "executor-worker").Select(e => e.ResourceId).Distinct().Count());
        var batch = Batch(app);

        // One trace from the request through RabbitMQ, the planner and an executor to the MCP call.
        var traced = await batch.SubmitPlanAsync("""{"steps": [{"id": "one", "tool": "slow.sleep_echo", "args": {"ms": 1, "value": "traced"}}]}""");
        Assert.Equal("Completed", (await batch.WaitForEndAsync(traced))["state"]!.GetValue<string>());
        OtlpReceiver.Span? call = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(30); call is null; await Task.Delay(200, Cancellation))
        {
            Assert.True(DateTime.UtcNow < deadline, "no tools/call span arrived: " + string.Join(", ", telemetry.Spans.Select(s => $"{s.Service}: {s.Name}").Distinct()));
            call = telemetry.Spans.FirstOrDefault(s => s.Name == "tools/call slow.sleep_echo" && s.Service == "executor-worker");
        }
        for (var deadline = DateTime.UtcNow.AddSeconds(15); ; await Task.Delay(200, Cancellation))
        {
            var trace = telemetry.Spans.Where(s => s.TraceId == call.TraceId).ToList();
            if (trace.Any(s => s.Service == "proxy-api" && s.Name == "POST /batch/execute") && trace.Any(s => s.Service == "planner-worker"))
                break;
            Assert.True(DateTime.UtcNow < deadline, "the trace of the MCP call does not reach back to the request: "
                + string.Join(", ", trace.Select(s => $"{s.Service}: {s.Name} ({s.SpanId} < {s.ParentSpanId})")));
        }
        // Tool calls by server and tool, steps by state, and queue waits, from the executors.
        string[] metrics = ["mcp_orch.tool_call.duration", "mcp_orch.batch.steps", "mcp_orch.batch.queue_wait"];
        for (var deadline = DateTime.UtcNow.AddSeconds(15); !metrics.All(m => telemetry.Metrics.Contains(("executor-worker", m))); await Task.Delay(200, Cancellation))
            Assert.True(DateTime.UtcNow < deadline, "the executors sent only: " + string.Join(", ", telemetry.Metrics.Where(m => m.Service == "executor-worker").Select(m => m.Metric)));

        // An executor killed in the middle of a step: the step moves to the other one, and the killed one is started again.
        var id = await batch.SubmitPlanAsync("""
            {"steps": [
              {"id": "long", "tool": "slow.sleep_echo", "args": {"ms": 4000, "value": "survived"}},
              {"id": "after", "tool": "slow.sleep_echo", "args": {"ms": 1, "value": "${long} the kill"}}
            ]}
            """);
        var running = await batch.WaitForAsync(id, s => BatchClient.Step(s, "long")["executor"] is not null, "an executor to take the step");
        var owner = BatchClient.Step(running, "long")["executor"]!.GetValue<string>();
        var victim = int.Parse(owner.Split('/')[1]);
        var killedAt = Events.Count;
        ProcessSignals.Send(victim, UnixSignal.Kill);

        var end = await batch.WaitForEndAsync(id);
        Assert.True(end["state"]!.GetValue<string>() == "Completed", end.ToJsonString());
        Assert.Equal(2, BatchClient.Step(end, "long")["dispatch"]!.GetValue<int>());
        Assert.Equal("survived the kill", (await batch.ResultAsync(id))["outputs"]!["after"]!.GetValue<string>());
        for (var deadline = DateTime.UtcNow.AddSeconds(60); ; await Task.Delay(200, Cancellation))
        {
            var since = Events.Skip(killedAt).Where(e => e.Resource.Name == "executor-worker").ToList();
            var exited = since.FirstOrDefault(e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text));
            if (exited is not null && since.SkipWhile(e => e != exited)
                    .Any(e => e.ResourceId == exited.ResourceId && e.Snapshot.HealthStatus == HealthStatus.Healthy))
                break;
            Assert.True(DateTime.UtcNow < deadline, "the killed executor was not started again: "
                + string.Join(", ", since.Select(e => $"{e.ResourceId} {e.Snapshot.State?.Text} {e.Snapshot.HealthStatus}")));
        }

        await StopAsync(app, Processes());
    }

    [Fact]
    public async Task Connection_strings_from_configuration_are_used_as_they_are_and_no_backing_server_is_started()
    {
        var app = await StartAsync(
            "--ConnectionStrings:orchdb", await postgres.CreateDatabaseAsync($"apphost_{Guid.NewGuid():N}", Cancellation),
            // Database 15 is this test's.
            "--ConnectionStrings:redis", $"{redis.ConnectionString},defaultDatabase=15",
            "--ConnectionStrings:messaging", rabbit.ConnectionString);

        Assert.Empty(Model(app).Resources.OfType<LocalServerResource>());
        Assert.False(Directory.Exists(_folder.Combine("data/postgres")));
        var batch = Batch(app);
        var id = await batch.SubmitPlanAsync("""{"steps": [{"id": "a", "tool": "slow.sleep_echo", "args": {"ms": 1, "value": "given"}}]}""");
        Assert.Equal("Completed", (await batch.WaitForEndAsync(id))["state"]!.GetValue<string>());

        await StopAsync(app, Processes());
    }

    [Fact]
    public async Task Embedded_runs_batches_in_one_process_with_the_dashboard_and_no_backing_server()
    {
        var app = await StartAsync("--embedded");

        Assert.Equal(["dashboard-web", "proxy-api"], Names(app));
        var batch = Batch(app);
        var id = await batch.SubmitPlanAsync("""{"steps": [{"id": "a", "tool": "slow.sleep_echo", "args": {"ms": 1, "value": "embedded"}}]}""");
        Assert.Equal("Completed", (await batch.WaitForEndAsync(id))["state"]!.GetValue<string>());
        Assert.True(File.Exists(_folder.Combine("data/embedded/mcp-orch.db")));
        using var dashboard = app.CreateHttpClient("dashboard-web");
        // Not signed in: the dashboard's pages send the browser to its sign-in page.
        Assert.Contains("Sign in to MCP Orch", await dashboard.GetStringAsync("/", Cancellation));

        // The dashboard's "Reload MCP configuration" on proxy-api, with the operator's key, and with a wrong one.
        var reload = await ReloadAsync(app, TestCredentials.AdminKey);
        Assert.True(reload.Success, reload.Message);
        Assert.Equal("mcp-config.json reloaded: added [], removed [], restarted [], 1 unchanged.", reload.Message);
        var refused = await ReloadAsync(app, "mco_not-a-key");
        Assert.False(refused.Success);
        Assert.StartsWith("401 Unauthorized: ", refused.Message);

        await StopAsync(app, Processes());
    }
}
