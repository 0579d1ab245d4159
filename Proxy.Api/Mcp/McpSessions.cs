using System.Collections.Concurrent;
using McpOrch.Core.Catalog;
using McpOrch.Core.Upstreams;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Proxy.Api.Mcp;

/// <summary>
/// The open downstream MCP sessions, so that a change of the merged catalog reaches every one of them
/// as <c>notifications/tools/list_changed</c>: the HTTP sessions while they run, or the one stdio session.
/// </summary>
public sealed partial class McpSessions(UpstreamRegistry upstreams, IServiceProvider services, ILogger<McpSessions> logger) : IHostedService
{
    readonly ConcurrentDictionary<McpServer, byte> _sessions = new();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Over stdio the SDK keeps a single session as a service of its own.
        if (services.GetService<McpServer>() is { } stdioSession)
            _sessions[stdioSession] = 0;
        upstreams.CatalogChanged += NotifyAll;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        upstreams.CatalogChanged -= NotifyAll;
        return Task.CompletedTask;
    }

    /// <summary>Runs one HTTP session (the transport's <c>RunSessionHandler</c>) and keeps it known while it lasts.</summary>
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
            // A session that is closing misses the news; it lists the tools again if it comes back.
            LogNotifyFailed(e.Message);
        }
    }

    [LoggerMessage(LogLevel.Debug, "A session could not be told that the tool list changed: {Error}")]
    partial void LogNotifyFailed(string error);
}
