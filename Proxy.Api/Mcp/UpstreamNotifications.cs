using System.Text.Json;
using System.Text.Json.Nodes;
using McpOrch.Core.Upstreams;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Proxy.Api.Mcp;

/// <summary>
/// Passes on what upstreams say to everyone. Log messages go to the sessions that reach the server: a session that set a
/// level hears those that meet it, at any time; one that set none hears those during its own requests on the server. On
/// <c>/mcp</c> the logger names the
/// server (<c>server</c>, or <c>server/logger</c>). Resource updates go to their subscribers; list changes of resources
/// and prompts to every session that sees the server.
/// </summary>
public sealed partial class UpstreamNotifications(UpstreamRegistry upstreams, DownstreamSessions sessions, ResourceSubscriptions subscriptions,
    SessionUpstreams sessionUpstreams, ILogger<UpstreamNotifications> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        upstreams.Notified += OnNotified;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        upstreams.Notified -= OnNotified;
        return Task.CompletedTask;
    }

    void OnNotified(UpstreamConnection server, JsonRpcNotification notification) => _ = PassOnAsync(server, notification);

    async Task PassOnAsync(UpstreamConnection server, JsonRpcNotification notification)
    {
        try
        {
            switch (notification.Method)
            {
                case NotificationMethods.LoggingMessageNotification:
                    await LogAsync(server, JsonSerializer.Deserialize<LoggingMessageNotificationParams>(notification.Params, McpJsonUtilities.DefaultOptions)!);
                    break;
                case NotificationMethods.ResourceUpdatedNotification:
                    var updated = JsonSerializer.Deserialize<ResourceUpdatedNotificationParams>(notification.Params, McpJsonUtilities.DefaultOptions)!;
                    await subscriptions.UpdatedAsync(server, updated.Uri, CancellationToken.None);
                    break;
                default: // resources/list_changed, prompts/list_changed
                    foreach (var session in Audience(server))
                        await session.NotifyAsync(notification.Method, null, CancellationToken.None);
                    break;
            }
        }
        catch (Exception e)
        {
            LogNotPassedOn(logger, notification.Method, server.Name, e.Message);
        }
    }

    /// <summary>
    /// Sends a log message to those who hear it. Every send is started before this returns: it is called as the
    /// message arrives, so a caller's request stream gets it ahead of the request's result.
    /// </summary>
    Task LogAsync(UpstreamConnection server, LoggingMessageNotificationParams message)
    {
        var callers = server.Callers.OfType<McpDownstream>().ToList();
        var sends = new List<Task>();
        foreach (var session in Audience(server))
        {
            var marked = session.Endpoint is null
                ? new LoggingMessageNotificationParams { Level = message.Level, Data = message.Data, Logger = message.Logger is { } name ? $"{server.Name}/{name}" : server.Name }
                : message;
            if (session.LogLevel is { } level && message.Level < level)
                continue;
            var parameters = JsonSerializer.SerializeToNode(marked, McpJsonUtilities.DefaultOptions);
            // During a request of the session's own, on that request's stream (a session that set no level hears
            // only these); otherwise on the session's own stream.
            if (callers.FirstOrDefault(c => c.Server.SessionId == session.Server.SessionId) is { } call)
                sends.Add(server.NotifyCallerAsync(call, NotificationMethods.LoggingMessageNotification, parameters));
            else if (session.LogLevel is not null) // Off the connection's reader, which must not wait for a client.
                sends.Add(Task.Run(() => session.NotifyAsync(NotificationMethods.LoggingMessageNotification, parameters, CancellationToken.None)));
        }
        return Task.WhenAll(sends);
    }

    /// <summary>The sessions that hear what <paramref name="server"/> says: those that see it, or its one session if it is a session's own.</summary>
    IEnumerable<DownstreamSession> Audience(UpstreamConnection server) =>
        sessionUpstreams.SessionOf(server) is { } owner
            ? sessions.All.Where(s => s.Server.SessionId == owner)
            : sessions.All.Where(s => s.Sees(server.Name, upstreams.ToolSeparator));

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} from MCP server '{Server}' could not be passed on: {Reason}")]
    static partial void LogNotPassedOn(ILogger logger, string method, string server, string reason);
}
