using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using McpOrch.LocalServers;
using McpOrch.BatchBench.Scenarios;
using Microsoft.Extensions.Logging;

namespace McpOrch.BatchBench.Systems;

/// <summary>
/// MCP Orch as real processes on 127.0.0.1, from the Release builds: <c>mcp-orch</c> alone (single-process: SQLite,
/// in-memory messaging), or <c>mcp-orch</c>, one Planner.Worker and the executors over PostgreSQL, Redis and RabbitMQ
/// started for the run. Every process is recorded in the pid file and stopped by pid when this is disposed.
/// </summary>
public sealed class OrchSystem : IAsyncDisposable
{
    public const string Single = "single";
    public const string Distributed = "distributed";
    static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(1);
    static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    readonly List<Func<Task>> _stops = [];
    readonly Dictionary<string, string> _environment = [];
    readonly HttpClient _probe = new() { Timeout = TimeSpan.FromSeconds(5) };
    readonly BatchBenchOptions _options;
    readonly BuildOutput _build;
    readonly ILogger _log;
    readonly string _folder;

    OrchSystem(string form, string name, BatchBenchOptions options, ILogger log)
    {
        Form = form;
        Name = name;
        _options = options;
        _build = new BuildOutput(options.Repository);
        _log = log;
        _folder = Directory.CreateDirectory(Path.Combine(options.OutputDirectory, form)).FullName;
    }

    /// <summary><see cref="Single"/> or <see cref="Distributed"/>.</summary>
    public string Form { get; }

    public string Name { get; }

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Starts the form <paramref name="form"/> (<see cref="Single"/> or <see cref="Distributed"/>) and returns once every process is healthy.</summary>
    public static async Task<OrchSystem> StartAsync(string form, BatchBenchOptions options, ILogger log, CancellationToken cancellationToken)
    {
        var system = new OrchSystem(form, form == Single ? "single-process" : $"distributed ({options.Executors} executors)", options, log);
        try
        {
            system.Configure();
            if (form == Distributed)
                await system.StartBackingServersAsync(cancellationToken);
            // Proxy.Api migrates the database: it comes first.
            system.BaseAddress = await system.StartServiceAsync("mcp-orch", system._build.McpOrch, cancellationToken);
            if (form == Distributed)
            {
                await system.StartServiceAsync("planner", system._build.PlannerWorker, cancellationToken);
                for (var i = 1; i <= options.Executors; i++)
                    await system.StartServiceAsync($"executor{i}", system._build.ExecutorWorker, cancellationToken);
            }
            return system;
        }
        catch
        {
            await system.DisposeAsync();
            throw;
        }
    }

    /// <summary>One mcp-config.json naming the test server <see cref="Scenario.Server"/>, and the settings every process gets.</summary>
    void Configure()
    {
        var config = new JsonObject
        {
            ["mcpServers"] = new JsonObject { [Scenario.Server] = new JsonObject { ["command"] = "dotnet", ["args"] = new JsonArray(_build.TestServer) } },
        };
        File.WriteAllText(Path.Combine(_folder, "mcp-config.json"), config.ToJsonString());
        _environment["McpOrch__Server__DataDir"] = Path.Combine(_folder, "data");
        _environment["McpOrch__Execution__MaxParallelTasks"] = $"{_options.MaxParallelTasks}";
        // Loopback only: no key needed. Every step's call still goes through the tool gate and the audit log.
        _environment["McpOrch__Security__EnableAuth"] = "false";
    }

    async Task StartBackingServersAsync(CancellationToken cancellationToken)
    {
        var postgres = Track(await PostgresServer.StartAsync(new() { DataDirectory = Path.Combine(_folder, "postgres") }, _log, cancellationToken));
        var redis = Track(await RedisServer.StartAsync(new() { DataDirectory = Path.Combine(_folder, "redis") }, _log, cancellationToken));
        var rabbit = Track(await RabbitMqServer.StartAsync(new() { DataDirectory = Path.Combine(_folder, "rabbitmq") }, _log, cancellationToken));
        _environment["ConnectionStrings__orchdb"] = postgres.ConnectionString;
        _environment["ConnectionStrings__redis"] = redis.ConnectionString;
        _environment["ConnectionStrings__messaging"] = rabbit.ConnectionString;
    }

    T Track<T>(T server) where T : IBackingServer
    {
        _stops.Add(async () => await server.DisposeAsync());
        RecordPids(server.ProcessIds);
        return server;
    }

    /// <summary>Starts <c>dotnet <paramref name="assembly"/></c> on a free loopback port and waits until <c>/health</c> answers 200.</summary>
    async Task<Uri> StartServiceAsync(string name, string assembly, CancellationToken cancellationToken)
    {
        var address = new Uri($"http://127.0.0.1:{LoopbackPort.FindFree()}");
        var startInfo = new ProcessStartInfo("dotnet", [assembly, "--urls", address.ToString(), "--config", Path.Combine(_folder, "mcp-config.json")])
        {
            WorkingDirectory = _folder,
        };
        foreach (var (setting, value) in _environment)
            startInfo.Environment[setting] = value;
        var process = ServerProcess.Start(name, startInfo, _log);
        _stops.Add(async () =>
        {
            await process.StopAsync(null, StopGrace, CancellationToken.None);
            await process.DisposeAsync();
        });
        RecordPids([process.Id]);
        await Readiness.WaitAsync(process, async ct =>
        {
            using var response = await _probe.GetAsync(new Uri(address, "/health"), ct);
            return response.StatusCode == HttpStatusCode.OK;
        }, StartTimeout, cancellationToken);
        return address;
    }

    /// <summary>For bench/batch.sh, which stops what a killed benchmark could not.</summary>
    void RecordPids(IEnumerable<int> pids) => File.AppendAllLines(Path.Combine(_options.OutputDirectory, "pids"), pids.Select(p => $"{p}"));

    /// <summary>Stops the processes in the reverse order of their start: the services before the servers they use.</summary>
    public async ValueTask DisposeAsync()
    {
        for (var i = _stops.Count - 1; i >= 0; i--)
        {
            try
            {
                await _stops[i]();
            }
            catch (Exception e)
            {
                _log.LogWarning("{Form}: stopping a process failed: {Error}", Name, e.Message);
            }
        }
        _stops.Clear();
        _probe.Dispose();
    }
}
