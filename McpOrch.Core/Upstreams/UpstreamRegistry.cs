using McpOrch.Core.Catalog;
using McpOrch.Core.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpOrch.Core.Upstreams;

/// <summary>
/// Every configured server's connection, and the tool catalog merged from the healthy ones. A server
/// that fails drops out of the catalog; the others keep serving.
/// </summary>
public sealed class UpstreamRegistry : IHostedService, IAsyncDisposable
{
    readonly Lock _lock = new();
    readonly IReadOnlyList<UpstreamConnection> _connections;
    readonly string _separator;
    ToolCatalog _catalog = ToolCatalog.Empty;

    /// <summary>Connections for every server of <paramref name="servers"/>; nothing starts before <see cref="StartAsync"/>.</summary>
    public UpstreamRegistry(McpServersConfiguration servers, IOptions<OrchOptions> options, ILoggerFactory loggerFactory,
        SupervisionPolicy? policy = null)
    {
        _separator = options.Value.Server.ToolSeparator;
        _connections = [.. servers.Servers.Select(s =>
            new UpstreamConnection(s, options.Value.Execution.TaskTimeout, policy ?? new SupervisionPolicy(), loggerFactory))];
        foreach (var connection in _connections)
            connection.Changed += _ => Rebuild();
    }

    /// <summary>Raised with the new catalog whenever the set of tools changes.</summary>
    public event Action<ToolCatalog>? CatalogChanged;

    /// <summary>The current snapshot.</summary>
    public ToolCatalog Catalog => _catalog;

    /// <summary>Every configured server, in configuration order.</summary>
    public IReadOnlyList<UpstreamConnection> Connections => _connections;

    /// <summary>The server named <paramref name="name"/>, if configured.</summary>
    public UpstreamConnection? Find(string name) => _connections.FirstOrDefault(c => c.Name == name);

    /// <summary>
    /// Waits until every server's first connection attempt has ended (at most <paramref name="limit"/>), so that
    /// a client's first tool list is complete rather than whatever happened to be connected already.
    /// </summary>
    public async Task WaitForFirstAttemptsAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(_connections.Select(c => c.FirstAttempt)).WaitAsync(limit, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Slow servers join the catalog when they connect, and clients hear of it through list_changed.
        }
    }

    /// <summary>Starts connecting to every enabled server, each on its own: none waits for another.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var connection in _connections)
            connection.Start();
        return Task.CompletedTask;
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
