using McpOrch.Core.Catalog;
using McpOrch.Core.Upstreams;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Proxy.Api.Mcp;

/// <summary>
/// Tells every downstream MCP session that the merged tool list changed. The SDK sends
/// <c>notifications/tools/list_changed</c> to each session it keeps — the HTTP sessions and the stdio session —
/// when the server's tool collection raises <c>Changed</c>; this collection holds no tool of its own (the list comes
/// from the catalog) and raises it whenever the catalog changes. 2026-07-28 clients, which have no session, hear it on
/// their <c>subscriptions/listen</c> streams.
/// </summary>
public sealed class CatalogChangeNotifier(UpstreamRegistry upstreams, DownstreamSessions sessions) : McpServerPrimitiveCollection<McpServerTool>, IHostedService
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

    void OnCatalogChanged(ToolCatalog catalog)
    {
        RaiseChanged();
        foreach (var listening in sessions.All.Where(s => s.Listening is not null))
            _ = listening.NotifyAsync(NotificationMethods.ToolListChangedNotification, null, CancellationToken.None);
    }
}
