using McpOrch.Core.Catalog;
using McpOrch.Core.Upstreams;
using ModelContextProtocol.Server;

namespace Proxy.Api.Mcp;

/// <summary>
/// Tells every downstream MCP session that the merged tool list changed. The SDK sends
/// <c>notifications/tools/list_changed</c> to each session it keeps — the HTTP sessions and the stdio session —
/// when the server's tool collection raises <c>Changed</c> (session-less 2026-07-28 HTTP clients get no stream for
/// it from SDK 2.3.1); this collection holds no tool of its own (the list comes from the catalog) and
/// raises it whenever the catalog changes.
/// </summary>
public sealed class CatalogChangeNotifier(UpstreamRegistry upstreams) : McpServerPrimitiveCollection<McpServerTool>, IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        upstreams.CatalogChanged += OnCatalogChanged;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        upstreams.CatalogChanged -= OnCatalogChanged;
        return Task.CompletedTask;
    }

    void OnCatalogChanged(ToolCatalog catalog) => RaiseChanged();
}
