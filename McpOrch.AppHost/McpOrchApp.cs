using McpOrch.AppHost.BackingServers;
using McpOrch.AppHost.Services;
using Microsoft.Extensions.Logging;

namespace McpOrch.AppHost;

/// <summary>
/// The whole distributed system in Aspire's model: the backing servers <c>postgres</c> (database <c>orchdb</c>),
/// <c>redis</c> and <c>messaging</c>, then <c>proxy-api</c> (which migrates the database) once they are ready, then
/// <c>planner-worker</c>, <c>executor-worker-N</c> and <c>dashboard-web</c> once it is healthy. Services get the
/// Aspire environment (<c>ConnectionStrings__*</c>, <c>services__proxy-api__http__0</c>, <c>OTEL_*</c>). Stopping
/// goes in reverse order, by pid. Tests start it in-process the way Aspire.Hosting.Testing starts an AppHost.
/// </summary>
public sealed class McpOrchApp : IAsyncDisposable
{
    /// <summary>The resource name of Proxy.Api.</summary>
    public const string ProxyResource = "proxy-api";

    readonly AppHostOptions _options;
    readonly ILoggerFactory _loggers;
    readonly Action<string, string> _output;
    readonly Action _changed;
    readonly List<IBackingServer> _backing = [];
    readonly HashSet<IBackingServer> _backingStopped = [];
    readonly List<ResourceSnapshot> _external = [];
    readonly List<ServiceResource> _services = [];
    bool _stopped;

    /// <param name="options">What to run.</param>
    /// <param name="loggers">For the AppHost's own lines.</param>
    /// <param name="output">Gets each output line of a service, with its resource name.</param>
    /// <param name="changed">Called whenever a resource changes state.</param>
    public McpOrchApp(AppHostOptions options, ILoggerFactory loggers, Action<string, string> output, Action changed)
    {
        _options = options;
        _loggers = loggers;
        _output = output;
        _changed = changed;
    }

    /// <summary>Every resource, in start order.</summary>
    public IReadOnlyList<ResourceSnapshot> Resources =>
    [
        .. _external,
        .. _backing.Select(b => _backingStopped.Contains(b)
            ? new ResourceSnapshot(b.ResourceName, ResourceState.Stopped, null, $"127.0.0.1:{b.Port}")
            : new ResourceSnapshot(b.ResourceName, ResourceState.Running, b.ProcessIds.FirstOrDefault(), $"127.0.0.1:{b.Port}")),
        .. _services.Select(s => s.Snapshot),
    ];

    /// <summary>The services, in start order.</summary>
    public IReadOnlyList<ServiceResource> Services => _services;

    /// <summary>Proxy.Api: the MCP endpoint, the REST API and batch runs.</summary>
    public ServiceResource Proxy => _services[0];

    /// <summary>Every process the AppHost started, for checking that none outlives it.</summary>
    public IReadOnlyList<int> ProcessIds => [.. _backing.SelectMany(b => b.ProcessIds), .. _services.SelectMany(s => s.ProcessIds)];

    /// <summary>Starts everything, in order; on failure stops what did start and throws.</summary>
    /// <exception cref="BackingServerException">Something could not start; the message says what and how to fix it.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await StartAllAsync(cancellationToken);
        }
        catch
        {
            await StopAsync(CancellationToken.None);
            throw;
        }
    }

    async Task StartAllAsync(CancellationToken cancellationToken)
    {
        // One line per log entry, so that each is prefixed with its resource's name.
        var environment = new Dictionary<string, string>
        {
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
        };
        if (_options.OtlpEndpoint is { } otlp)
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp;
        if (_options.OtlpProtocol is { } protocol)
            environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = protocol;
        if (_options.Embedded)
            environment["MCP_ORCH_DATA_DIR"] = Path.Combine(_options.DataRoot, "embedded");
        else
            foreach (var (name, value) in await ConnectionStringsAsync(cancellationToken))
                environment[$"ConnectionStrings__{name}"] = value;

        var proxy = Add(ProxyResource, "Proxy.Api", "mcp-orch.dll", _options.ProxyPort, environment);
        await proxy.StartAsync(cancellationToken);

        environment[$"services__proxy-api__http__0"] = proxy.Url.ToString().TrimEnd('/');
        List<ServiceResource> next = [];
        if (!_options.Embedded)
        {
            next.Add(Add("planner-worker", "Planner.Worker", "Planner.Worker.dll", 0, environment));
            for (var i = 0; i < _options.Executors; i++)
                next.Add(Add($"executor-worker-{i}", "Executor.Worker", "Executor.Worker.dll", 0, environment));
        }
        next.Add(Add("dashboard-web", "Dashboard.Web", "Dashboard.Web.dll", _options.DashboardPort, environment));
        await Task.WhenAll(next.Select(s => s.StartAsync(cancellationToken)));
    }

    /// <summary>The connection strings the configuration gives, and local servers for the others.</summary>
    async Task<IReadOnlyDictionary<string, string>> ConnectionStringsAsync(CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, string>();
        async Task UseAsync(string name, string resource, Func<string, Task<IBackingServer>> start)
        {
            if (_options.ConnectionStrings.TryGetValue(name, out var given) && !string.IsNullOrWhiteSpace(given))
            {
                result[name] = given;
                _external.Add(new ResourceSnapshot(resource, ResourceState.Running, null, "(from configuration)"));
            }
            else
            {
                var server = await start(Path.Combine(_options.DataRoot, resource));
                _backing.Add(server);
                result[name] = server.ConnectionString;
            }
            _changed();
        }
        await UseAsync("orchdb", "postgres", async dir =>
            await PostgresServer.StartAsync(new() { DataDirectory = dir }, _loggers.CreateLogger<PostgresServer>(), cancellationToken));
        await UseAsync("redis", "redis", async dir =>
            await RedisServer.StartAsync(new() { DataDirectory = dir }, _loggers.CreateLogger<RedisServer>(), cancellationToken));
        await UseAsync("messaging", "messaging", async dir =>
            await RabbitMqServer.StartAsync(new() { DataDirectory = dir }, _loggers.CreateLogger<RabbitMqServer>(), cancellationToken));
        return result;
    }

    ServiceResource Add(string name, string project, string assembly, int port, Dictionary<string, string> environment)
    {
        var service = new ServiceResource(name, ServiceBuild.EntryAssembly(project, assembly), port,
            new Dictionary<string, string>(environment) { ["OTEL_SERVICE_NAME"] = name }, _options.WorkingDirectory, _options.ServiceArguments,
            _output, _changed, _loggers.CreateLogger<ServiceResource>());
        _services.Add(service);
        _changed();
        return service;
    }

    /// <summary>Stops everything in reverse order of start; nothing it started is left running.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopped)
            return;
        _stopped = true;
        // The workers and the dashboard first (together), then Proxy.Api, then the backing servers one by one.
        await Task.WhenAll(_services.Skip(1).Select(s => s.StopAsync(cancellationToken)));
        if (_services.Count > 0)
            await _services[0].StopAsync(cancellationToken);
        for (var i = _backing.Count - 1; i >= 0; i--)
        {
            try
            {
                await _backing[i].StopAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The shutdown timeout passed: the server's processes were killed instead.
            }
            _backingStopped.Add(_backing[i]);
            _changed();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        foreach (var service in _services)
            await service.DisposeAsync();
        foreach (var server in _backing)
            await server.DisposeAsync();
    }
}
