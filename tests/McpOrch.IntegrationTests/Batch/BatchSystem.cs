using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpOrch.Testing;

namespace McpOrch.IntegrationTests.Batch;

/// <summary>
/// MCP Orch running batches as real processes, in either form: Proxy.Api alone (single-process mode: SQLite,
/// in-memory messaging), or Proxy.Api, Planner.Worker and executors over PostgreSQL, Redis and RabbitMQ. Three MCP
/// servers: the C# test server twice, <c>test</c> with a 1 s call timeout and <c>slow</c> with the default one, and
/// server-everything. The planner's LLM is <see cref="Llm"/>.
/// </summary>
public sealed class BatchSystem : IAsyncDisposable
{
    /// <summary>
    /// Short, so that a lost executor's step moves on within seconds; not shorter, since a lease must outlast the longest
    /// pause of a live executor. With 3 s, a new executor's first step on a loaded machine (every query and call path
    /// compiled for the first time) lapsed before its first renewal landed, and the step was dispatched again.
    /// </summary>
    public static readonly TimeSpan StepLease = TimeSpan.FromSeconds(10);

    readonly ScratchDirectory _folder = ScratchDirectory.Create("batch");
    readonly Dictionary<string, string> _environment = [];
    readonly List<ServiceProcess> _workers = [];

    BatchSystem(FakeChatCompletions llm) => Llm = llm;

    public FakeChatCompletions Llm { get; }
    public ServiceProcess Api { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    /// <summary>The batch API of <see cref="Api"/>; its failures show every process's output.</summary>
    public BatchClient Batch { get; private set; } = null!;
    public IReadOnlyList<ServiceProcess> Executors => [.. _workers.Where(w => w.Name == "Executor.Worker")];
    public string Folder => _folder.Path;

    public static async Task<BatchSystem> StartSingleProcessAsync()
    {
        var system = await CreateAsync(connectionStrings: null);
        await system.StartApiAsync();
        return system;
    }

    public static async Task<BatchSystem> StartDistributedAsync(PostgresFixture postgres, RedisFixture redis, RabbitMqFixture rabbit, int executors) =>
        await StartDistributedAsync(
            await postgres.CreateDatabaseAsync($"batch_{Guid.NewGuid():N}", CancellationToken.None),
            // A database of its own: the catalog key is shared by everything on one Redis database.
            $"{redis.ConnectionString},defaultDatabase={Random.Shared.Next(1, 15)}",
            rabbit.ConnectionString, executors);

    /// <summary>The distributed system over the given servers' connection strings (a test's own server, to stop and start).</summary>
    public static async Task<BatchSystem> StartDistributedAsync(string database, string redis, string messaging, int executors)
    {
        var system = await CreateAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings__orchdb"] = database,
            ["ConnectionStrings__redis"] = redis,
            ["ConnectionStrings__messaging"] = messaging,
        });
        await system.StartApiAsync();
        await system.StartWorkerAsync("Planner.Worker");
        for (var i = 0; i < executors; i++)
            await system.StartWorkerAsync("Executor.Worker");
        return system;
    }

    static async Task<BatchSystem> CreateAsync(Dictionary<string, string>? connectionStrings)
    {
        var system = new BatchSystem(await FakeChatCompletions.StartAsync());
        var server = TestServer.Command();
        // server-everything too, from the packages the assembly's McpServersFixture installed.
        var config = new JsonObject
        {
            ["mcpServers"] = new JsonObject
            {
                ["test"] = server.ToMcpServerEntry(timeoutSeconds: 1),
                ["slow"] = server.ToMcpServerEntry(),
                ["everything"] = new McpServersFixture().Everything().ToMcpServerEntry(),
            },
        };
        await File.WriteAllTextAsync(system._folder.Combine("mcp-config.json"), config.ToJsonString());
        foreach (var (name, value) in connectionStrings ?? [])
            system._environment[name] = value;
        system._environment["McpOrch__Server__DataDir"] = system._folder.Combine("data");
        system._environment["McpOrch__Execution__StepLease"] = $"{StepLease.TotalSeconds}s";
        system._environment["McpOrch__Execution__RetryCount"] = "2";
        system._environment["McpOrch__Llm__Provider"] = "openai";
        system._environment["McpOrch__Llm__OpenAI__Endpoint"] = system.Llm.Endpoint.ToString();
        system._environment["McpOrch__Llm__OpenAI__ApiKey"] = "test-key";
        system._environment["McpOrch__Llm__OpenAI__Model"] = "fake-planner";
        return system;
    }

    async Task StartApiAsync()
    {
        Api = ServiceProcess.Start("Proxy.Api", _folder.Path, _environment);
        (await Api.WaitHealthyAsync()).Dispose();
        Http = new HttpClient { BaseAddress = Api.BaseAddress, Timeout = TimeSpan.FromMinutes(2) }.WithApiKey();
        Batch = new BatchClient(Http, Logs);
    }

    /// <summary>Kills Proxy.Api (SIGKILL: no chance to clean up) and starts it again, on a new port.</summary>
    public async Task CrashAndRestartApiAsync()
    {
        await Api.KillAsync();
        await Api.DisposeAsync();
        Http.Dispose();
        await StartApiAsync();
    }

    /// <summary>Starts one more Planner.Worker or Executor.Worker process.</summary>
    public async Task<ServiceProcess> StartWorkerAsync(string project)
    {
        var worker = ServiceProcess.Start(project, _folder.Path, _environment);
        _workers.Add(worker);
        (await worker.WaitHealthyAsync()).Dispose();
        return worker;
    }

    /// <summary>Every process's output, for failure messages.</summary>
    public string Logs() => string.Join("\n", [$"--- Proxy.Api\n{Api.Output}", .. _workers.Select(w => $"--- {w.Name} ({w.Id})\n{w.Output}")]);

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        foreach (var worker in _workers)
            await worker.DisposeAsync();
        if (Api is not null)
            await Api.DisposeAsync();
        await Llm.DisposeAsync();
        _folder.Dispose();
    }
}
