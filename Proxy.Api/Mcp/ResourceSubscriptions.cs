using System.Text.Json;
using McpOrch.Core.Upstreams;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Proxy.Api.Mcp;

/// <summary>
/// Who subscribed to which resource. An upstream is subscribed once per resource, when its first client subscribes,
/// and unsubscribed when its last one leaves; its <c>notifications/resources/updated</c> go to exactly the
/// subscribers, under the URI each of them knows.
/// </summary>
public sealed class ResourceSubscriptions
{
    readonly Lock _lock = new();
    readonly Dictionary<(string Server, string Uri), Dictionary<DownstreamSession, string>> _subscribers = [];

    public async Task SubscribeAsync(DownstreamSession session, UpstreamConnection server, string uri, string exposedUri, CancellationToken cancellationToken)
    {
        bool first;
        lock (_lock)
        {
            if (!_subscribers.TryGetValue((server.Name, uri), out var subscribers))
                _subscribers[(server.Name, uri)] = subscribers = [];
            first = subscribers.Count == 0;
            subscribers[session] = exposedUri;
        }
        if (!first)
            return;
        try
        {
            await server.SubscribeAsync(uri, subscribe: true, cancellationToken);
        }
        catch (ToolCallException)
        {
            Remove(session, server.Name, uri);
            throw;
        }
    }

    public async Task UnsubscribeAsync(DownstreamSession session, UpstreamConnection server, string uri, CancellationToken cancellationToken)
    {
        if (!Remove(session, server.Name, uri))
            return;
        await server.SubscribeAsync(uri, subscribe: false, cancellationToken);
    }

    /// <summary>Tells the subscribers of a resource that it changed.</summary>
    public async Task UpdatedAsync(UpstreamConnection server, string uri, CancellationToken cancellationToken)
    {
        List<KeyValuePair<DownstreamSession, string>> subscribers;
        lock (_lock)
            subscribers = _subscribers.TryGetValue((server.Name, uri), out var found) ? [.. found] : [];
        foreach (var (session, exposedUri) in subscribers)
        {
            try
            {
                await session.NotifyAsync(NotificationMethods.ResourceUpdatedNotification,
                    JsonSerializer.SerializeToNode(new ResourceUpdatedNotificationParams { Uri = exposedUri }, McpJsonUtilities.DefaultOptions), cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Remove(session, server.Name, uri); // The session is gone.
            }
        }
    }

    /// <summary>Removes a subscription; true when it was the resource's last (the upstream may be unsubscribed).</summary>
    bool Remove(DownstreamSession session, string server, string uri)
    {
        lock (_lock)
        {
            if (!_subscribers.TryGetValue((server, uri), out var subscribers) || !subscribers.Remove(session))
                return false;
            if (subscribers.Count > 0)
                return false;
            _subscribers.Remove((server, uri));
            return true;
        }
    }
}
