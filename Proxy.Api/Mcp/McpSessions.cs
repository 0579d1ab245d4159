using System.Collections.Concurrent;
using McpOrch.Core.Catalog;
using McpOrch.Core.Upstreams;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Proxy.Api.Mcp;

/// <summary>
/// The open downstream MCP sessions, so that a change of the merged catalog reaches every one of them
/// as <c>notifications/tools/list_changed</c>.
/// </summary>
public sealed partial class McpSessions
{
    readonly ConcurrentDictionary<McpServer, byte> _sessions = new();
    readonly ILogger<McpSessions> _logger;

    public McpSessions(UpstreamRegistry upstreams, ILogger<McpSessions> logger)
    {
        _logger = logger;
        upstreams.CatalogChanged += NotifyAll;
    }

    public int Count => _sessions.Count;

    /// <summary>Runs one session (the transport's <c>RunSessionHandler</c>) and keeps it known while it lasts.</summary>
    public async Task RunAsync(HttpContext context, McpServer session, CancellationToken cancellationToken)
    {
        _sessions[session] = 0;
        try
        {
            await session.RunAsync(cancellationToken);
        }
        finally
        {
            _sessions.TryRemove(session, out _);
        }
    }

    void NotifyAll(ToolCatalog catalog)
    {
        foreach (var session in _sessions.Keys)
            _ = NotifyAsync(session);
    }

    async Task NotifyAsync(McpServer session)
    {
        try
        {
            await session.SendNotificationAsync(NotificationMethods.ToolListChangedNotification);
        }
        catch (Exception e)
        {
            // A session that is closing misses the news; it will list the tools again if it comes back.
            LogNotifyFailed(e.Message);
        }
    }

    [LoggerMessage(LogLevel.Debug, "A session could not be told that the tool list changed: {Error}")]
    partial void LogNotifyFailed(string error);
}
