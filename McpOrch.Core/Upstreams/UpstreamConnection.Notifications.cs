using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpOrch.Core.Upstreams;

// What the server says unasked: list changes, resource updates and log messages, and, from 2026-07-28 on, the
// subscriptions/listen stream that asks for them.
public sealed partial class UpstreamConnection
{
    /// <summary>Whether the server speaks 2026-07-28 or later: no <c>logging/setLevel</c> or <c>resources/subscribe</c>, but <c>subscriptions/listen</c>.</summary>
    public bool SpeaksListen => ProtocolRevisions.IsSessionless(ProtocolVersion);

    /// <summary>
    /// Subscribes to updates of <paramref name="uri"/>: <c>resources/subscribe</c>, or from 2026-07-28 on, the
    /// connection's <c>subscriptions/listen</c> stream opened again with the URI among its subscriptions.
    /// </summary>
    public async Task SubscribeAsync(string uri, bool subscribe, CancellationToken cancellationToken)
    {
        if (!SpeaksListen)
        {
            if (subscribe)
                await SendAsync<SubscribeRequestParams, EmptyResult>(RequestMethods.ResourcesSubscribe, new SubscribeRequestParams { Uri = uri }, cancellationToken);
            else
                await SendAsync<UnsubscribeRequestParams, EmptyResult>(RequestMethods.ResourcesUnsubscribe, new UnsubscribeRequestParams { Uri = uri }, cancellationToken);
            return;
        }
        lock (_subscribedUris)
            if (!(subscribe ? _subscribedUris.Add(uri) : _subscribedUris.Remove(uri)))
                return;
        if (_client is { } client)
            Listen(client);
    }

    /// <summary>
    /// From 2026-07-28 on, a server sends list_changed and resource updates only on a <c>subscriptions/listen</c>
    /// stream the client opened (before, it sent them unasked); the SDK client opens none, so this does, for the
    /// connection's life, and opens it again (closing the old one) when the resource subscriptions change.
    /// </summary>
    void Listen(McpClient client)
    {
        if (!SpeaksListen)
            return;
        var capabilities = client.ServerCapabilities;
        List<string> uris;
        lock (_subscribedUris)
            uris = [.. _subscribedUris];
        var notifications = new SubscriptionsListenNotifications
        {
            ToolsListChanged = capabilities.Tools?.ListChanged == true ? true : null,
            PromptsListChanged = capabilities.Prompts?.ListChanged == true ? true : null,
            ResourcesListChanged = capabilities.Resources?.ListChanged == true ? true : null,
            ResourceSubscriptions = uris.Count > 0 ? uris : null,
        };
        var id = new RequestId($"orch-listen-{Interlocked.Increment(ref _nextRequestId)}");
        var listening = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        if (Interlocked.Exchange(ref _listening, new ListenRequest(listening, id)) is { } previous)
        {
            // The server would go on sending on the old stream: it is told the request is over.
            previous.Cancellation.Cancel();
            _ = CancelUpstreamAsync(client, previous.Id, "replaced by a new subscriptions/listen");
        }
        if (notifications is { ToolsListChanged: null, PromptsListChanged: null, ResourcesListChanged: null, ResourceSubscriptions: null })
            return;
        var request = new JsonRpcRequest
        {
            Id = id,
            Method = RequestMethods.SubscriptionsListen,
            Params = JsonSerializer.SerializeToNode(new SubscriptionsListenRequestParams { Notifications = notifications }, McpJsonUtilities.DefaultOptions),
        };
        _ = client.SendRequestAsync(request, listening.Token).ContinueWith(t => t.Exception, TaskScheduler.Default);
    }

    ValueTask Notify(JsonRpcNotification notification, CancellationToken cancellationToken)
    {
        Notified?.Invoke(this, notification);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Takes what the server says about requests in flight, progress and log messages, in the order it said it (see
    /// <see cref="ArrivalOrderTransport"/>): each is queued for its client's request stream before the SDK sees the
    /// next message, which may be the request's result. Handled by the SDK instead, a result could overtake them, and
    /// those it overtook would find their request over and be dropped.
    /// </summary>
    void OnArrived(JsonRpcMessage message)
    {
        if (message is not JsonRpcNotification { Method: NotificationMethods.ProgressNotification or NotificationMethods.LoggingMessageNotification } notification)
            return;
        try
        {
            if (notification.Method == NotificationMethods.ProgressNotification)
                _ = LogFailureAsync(notification.Method, _relay.PassProgress(notification));
            else
                Notified?.Invoke(this, notification);
        }
        catch (Exception e)
        {
            // A malformed notification: the connection goes on.
            LogNotPassedOn(Name, notification.Method, e.Message);
        }
    }

    async Task LogFailureAsync(string method, Task sending)
    {
        try
        {
            await sending;
        }
        catch (Exception e)
        {
            // The client's stream is gone: it cannot hear this, nor the result.
            LogNotPassedOn(Name, method, e.Message);
        }
    }

    ValueTask OnToolListChangedAsync(JsonRpcNotification notification, CancellationToken cancellationToken)
    {
        // Listed outside the handler: the answer arrives through the same message loop that is calling it.
        if (_client is { } client)
            _ = RefreshToolsAsync(client);
        return ValueTask.CompletedTask;
    }

    async Task RefreshToolsAsync(McpClient client)
    {
        try
        {
            var tools = await client.ListToolsAsync(cancellationToken: _stopping.Token);
            if (_client != client)
                return;
            Tools = [.. tools.Select(t => t.ProtocolTool)];
            Changed?.Invoke(this);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogToolRefreshFailed(Name, e.Message);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}

/// <summary>The connection's open <c>subscriptions/listen</c> request.</summary>
internal sealed record ListenRequest(CancellationTokenSource Cancellation, RequestId Id);
