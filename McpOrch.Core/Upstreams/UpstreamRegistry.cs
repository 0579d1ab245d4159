using McpOrch.Core.Catalog;
using McpOrch.Core.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;

namespace McpOrch.Core.Upstreams;

/// <summary>
/// Every configured server's connection, and the tool catalog merged from the healthy ones. A server
/// that fails drops out of the catalog; the others keep serving.
/// </summary>
public sealed class UpstreamRegistry : IHostedService, IAsyncDisposable
{
    readonly Lock _lock = new();
    readonly SemaphoreSlim _reloading = new(1, 1);
    readonly string _separator;
    readonly ServerSecrets _secrets;
    readonly Func<McpServerDefinition, StandardErrorLog?, UpstreamConnection> _connect;
    readonly Func<McpServerDefinition, ClientCapabilities?, StandardErrorLog?, UpstreamConnection> _create;
    volatile IReadOnlyList<UpstreamConnection> _connections;
    ToolCatalog _catalog = ToolCatalog.Empty;
    int _started;

    /// <summary>Connections for every server of <paramref name="servers"/>; nothing starts before <see cref="StartAsync"/>.</summary>
    /// <param name="servers">The configured servers.</param>
    /// <param name="options">The settings.</param>
    /// <param name="loggerFactory">For every connection's log.</param>
    /// <param name="secrets">Told of every server a reload brings, so that no log line shows their secrets.</param>
    /// <param name="relay">Registered by the proxy: servers may then ask its clients for sampling, elicitation and roots.</param>
    /// <param name="time">The clock of the servers' stderr lines.</param>
    public UpstreamRegistry(McpServersConfiguration servers, IOptions<OrchOptions> options, ILoggerFactory loggerFactory, ServerSecrets secrets,
        ClientRequestRelay? relay = null, TimeProvider? time = null)
    {
        _secrets = secrets;
        _separator = options.Value.Server.ToolSeparator;
        StartupTimeout = options.Value.Server.StartupTimeout;
        var policy = new SupervisionPolicy { StartupTimeout = StartupTimeout };
        _create = (server, clientCapabilities, standardError) =>
        {
            var connection = new UpstreamConnection(server, options.Value.Execution.TaskTimeout, options.Value.Security.MaxResultBytes, policy,
                loggerFactory, relay is not null, clientCapabilities, standardError);
            connection.Notified += (from, notification) => Notified?.Invoke(from, notification);
            return connection;
        };
        // A stdio server's shared connection keeps its stderr, in a log that a connection replacing it takes on.
        _connect = (server, previous) =>
        {
            var standardError = server.Transport == McpTransportKind.Stdio ? previous ?? new StandardErrorLog(secrets.Redact, time ?? TimeProvider.System) : null;
            var connection = _create(server, null, standardError);
            connection.Changed += _ => Rebuild();
            return connection;
        };
        _connections = [.. servers.Servers.Select(server => _connect(server, null))];
    }

    /// <summary>
    /// A connection of <paramref name="server"/>'s own, started, outside the catalog: for one client session of a server
    /// with <c>"isolation": "session"</c>, whose client declared <paramref name="clientCapabilities"/> (all the server
    /// is told it can do). The caller disposes it.
    /// </summary>
    public UpstreamConnection ConnectIsolated(McpServerDefinition server, ClientCapabilities? clientCapabilities)
    {
        var connection = _create(server, clientCapabilities ?? new ClientCapabilities(), null);
        connection.Start();
        return connection;
    }

    /// <summary>Every connection's <see cref="UpstreamConnection.Notified"/>.</summary>
    public event Action<UpstreamConnection, JsonRpcNotification>? Notified;

    /// <summary>Raised with the new catalog whenever the set of tools changes.</summary>
    public event Action<ToolCatalog>? CatalogChanged;

    /// <summary>How long a server may take to connect (<c>server.startup_timeout</c>).</summary>
    public TimeSpan StartupTimeout { get; }

    /// <summary>Between a server's name and its tool's in the names tools are exposed under (<c>server.tool_separator</c>).</summary>
    public string ToolSeparator => _separator;

    /// <summary>The current snapshot.</summary>
    public ToolCatalog Catalog => _catalog;

    /// <summary>Every configured server, in configuration order.</summary>
    public IReadOnlyList<UpstreamConnection> Connections => _connections;

    /// <summary>
    /// The tool exposed as <paramref name="name"/>; while servers are still making their first connection
    /// attempt, waits for them (at most the start-up timeout) before giving up on the name.
    /// </summary>
    public async Task<CatalogTool?> FindToolAsync(string name, CancellationToken cancellationToken)
    {
        if (Catalog.Find(name) is { } tool)
            return tool;
        await WaitForFirstAttemptsAsync(cancellationToken);
        return Catalog.Find(name);
    }

    /// <summary>The server named <paramref name="name"/>, if configured.</summary>
    public UpstreamConnection? Find(string name) => _connections.FirstOrDefault(c => c.Name == name);

    /// <summary>
    /// The server whose prefix a merged name (of a tool or a prompt) carries: the longest configured name that is
    /// followed by the separator at its start, whether or not the server is serving; null when none is.
    /// </summary>
    public UpstreamConnection? OwnerOf(string mergedName) =>
        _connections.Where(c => mergedName.StartsWith(c.Name + _separator, StringComparison.Ordinal)).MaxBy(c => c.Name.Length);

    /// <summary>
    /// Waits until the first connection attempt of <paramref name="server"/> (or of every server) has ended, at most
    /// the start-up timeout, so that a client's first tool list is complete rather than whatever happened to be
    /// connected already.
    /// </summary>
    public async Task WaitForFirstAttemptsAsync(CancellationToken cancellationToken, string? server = null)
    {
        try
        {
            await Task.WhenAll(_connections.Where(c => server is null || c.Name == server).Select(c => c.FirstAttempt))
                .WaitAsync(StartupTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Slow servers join the catalog when they connect, and clients hear of it through list_changed.
        }
    }

    /// <summary>
    /// Starts connecting to every enabled server, each on its own: none waits for another. Once: a service may start
    /// the connections before its host starts its hosted services, since servers take longest to be ready.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
            foreach (var connection in _connections)
                connection.Start();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Moves to a new configuration: servers that were added start, servers that were removed stop, servers whose
    /// definition changed restart with it, and the others keep running untouched.
    /// </summary>
    public async Task<ReloadResult> ReloadAsync(McpServersConfiguration servers, CancellationToken cancellationToken)
    {
        await _reloading.WaitAsync(cancellationToken);
        try
        {
            _secrets.Add(servers.Servers);
            var current = _connections.ToDictionary(c => c.Name);
            List<UpstreamConnection> next = [], toStart = [], toStop = [];
            List<string> added = [], restarted = [], unchanged = [];
            foreach (var server in servers.Servers)
            {
                if (current.Remove(server.Name, out var running))
                {
                    if (McpServersConfiguration.SameDefinition(running.Definition, server))
                    {
                        next.Add(running);
                        unchanged.Add(server.Name);
                        continue;
                    }
                    toStop.Add(running);
                    restarted.Add(server.Name);
                    running.StandardError?.HandOn("its definition in mcp-config.json changed");
                }
                else
                    added.Add(server.Name);
                var connection = _connect(server, running?.StandardError);
                next.Add(connection);
                toStart.Add(connection);
            }
            var removed = current.Keys.ToList();
            toStop.AddRange(current.Values);

            _connections = next;
            await Task.WhenAll(toStop.Select(c => c.DisposeAsync().AsTask()));
            foreach (var connection in toStart)
                connection.Start();
            Rebuild();
            return new ReloadResult(added, removed, restarted, unchanged);
        }
        finally
        {
            _reloading.Release();
        }
    }

    /// <summary>Stops every connection and the processes they started.</summary>
    public async Task StopAsync(CancellationToken cancellationToken) =>
        await Task.WhenAll(_connections.Select(c => c.DisposeAsync().AsTask()));

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    void Rebuild()
    {
        ToolCatalog catalog;
        lock (_lock)
        {
            var healthy = _connections.Where(c => c.State == UpstreamState.Healthy).Select(c => (c.Name, c.Tools));
            catalog = ToolCatalog.Build(_catalog.Version + 1, healthy, _separator);
            if (catalog.Tools.Select(t => (t.Name, t.Server, t.Tool.Description, t.Tool.InputSchema.GetRawText()))
                .SequenceEqual(_catalog.Tools.Select(t => (t.Name, t.Server, t.Tool.Description, t.Tool.InputSchema.GetRawText()))))
                return;
            _catalog = catalog;
        }
        CatalogChanged?.Invoke(catalog);
    }
}

/// <summary>
/// Registered by a service that has MCP clients of its own (the proxy): its upstream servers are told they may ask
/// for sampling, elicitation and roots, and such requests go to the client of the request in flight.
/// </summary>
public sealed class ClientRequestRelay;
