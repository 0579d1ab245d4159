using System.Text.Json;
using McpOrch.Core.Upstreams;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using static Proxy.Api.Mcp.McpRoutes;

namespace Proxy.Api.Mcp;

/// <summary>
/// <c>resources/list</c>, <c>resources/templates/list</c>, <c>resources/read</c>, <c>resources/subscribe</c> and
/// <c>resources/unsubscribe</c> (and 2026-07-28's <c>subscriptions/listen</c>), passed to the server of <c>/mcp/{server}</c>
/// as they are, or on <c>/mcp</c> merged over every server (see <see cref="McpRoutes"/> for the names).
/// </summary>
public static class ProxyResourceHandlers
{
    static McpRoutes Routes<T>(RequestContext<T> request) => request.Services!.GetRequiredService<McpRoutes>();

    public static ValueTask<ListResourcesResult> ListAsync(RequestContext<ListResourcesRequestParams> request, CancellationToken cancellationToken) =>
        ListAsync<ListResourcesRequestParams, ListResourcesResult>(request, RequestMethods.ResourcesList, c => c.Resources is not null,
            (server, cursor) => new ListResourcesRequestParams { Cursor = cursor, Meta = request.Params?.Meta },
            (page, next) => new ListResourcesResult { Resources = page.Resources, NextCursor = next, Meta = page.Meta }, cancellationToken);

    public static ValueTask<ListResourceTemplatesResult> ListTemplatesAsync(RequestContext<ListResourceTemplatesRequestParams> request,
        CancellationToken cancellationToken) =>
        ListAsync<ListResourceTemplatesRequestParams, ListResourceTemplatesResult>(request, RequestMethods.ResourcesTemplatesList, c => c.Resources is not null,
            (server, cursor) => new ListResourceTemplatesRequestParams { Cursor = cursor, Meta = request.Params?.Meta },
            (page, next) => new ListResourceTemplatesResult { ResourceTemplates = page.ResourceTemplates, NextCursor = next, Meta = page.Meta },
            cancellationToken);

    public static async ValueTask<ReadResourceResult> ReadAsync(RequestContext<ReadResourceRequestParams> request, CancellationToken cancellationToken)
    {
        var parameters = request.Params!;
        return await OnOwnerAsync<ReadResourceRequestParams, ReadResourceResult>(request, RequestMethods.ResourcesRead, parameters.Uri,
            uri => new ReadResourceRequestParams { Uri = uri, Meta = parameters.Meta }, cancellationToken);
    }

    public static async ValueTask<EmptyResult> SubscribeAsync(RequestContext<SubscribeRequestParams> request, CancellationToken cancellationToken)
    {
        var (server, uri) = Owner(request, request.Params!.Uri);
        await request.Services!.GetRequiredService<ResourceSubscriptions>().SubscribeAsync(Session(request),
            await ForSessionAsync(request, server, cancellationToken), uri, request.Params.Uri, cancellationToken);
        return new EmptyResult();
    }

    public static async ValueTask<EmptyResult> UnsubscribeAsync(RequestContext<UnsubscribeRequestParams> request, CancellationToken cancellationToken)
    {
        var (server, uri) = Owner(request, request.Params!.Uri);
        await request.Services!.GetRequiredService<ResourceSubscriptions>().UnsubscribeAsync(Session(request),
            await ForSessionAsync(request, server, cancellationToken), uri, cancellationToken);
        return new EmptyResult();
    }

    /// <summary>
    /// <c>subscriptions/listen</c> (2026-07-28): the stream stays open, and the list changes and resource updates the
    /// client asks for come on it, tagged with its id, until the client closes it. It is acknowledged first with what
    /// was granted: a resource that cannot be subscribed (unknown, or its server cannot) is left out.
    /// </summary>
    public static async ValueTask<EmptyResult> ListenAsync(RequestContext<SubscriptionsListenRequestParams> request, CancellationToken cancellationToken)
    {
        var asked = request.Params?.Notifications ?? new SubscriptionsListenNotifications();
        var granted = new SubscriptionsListenNotifications
        {
            ToolsListChanged = asked.ToolsListChanged == true ? true : null,
            PromptsListChanged = asked.PromptsListChanged == true ? true : null,
            ResourcesListChanged = asked.ResourcesListChanged == true ? true : null,
            ResourceSubscriptions = [],
        };
        var session = new DownstreamSession(request.Server, Endpoint(request), CallerOf(request).Scope)
        {
            Listening = new ListenStream(request.JsonRpcRequest.Id, granted),
        };
        var subscriptions = request.Services!.GetRequiredService<ResourceSubscriptions>();
        var subscribed = new List<(UpstreamConnection Server, string Uri)>();
        try
        {
            foreach (var exposed in asked.ResourceSubscriptions ?? [])
                try
                {
                    var (server, uri) = Owner(request, exposed);
                    await subscriptions.SubscribeAsync(session, server, uri, exposed, cancellationToken);
                    subscribed.Add((server, uri));
                    granted.ResourceSubscriptions.Add(exposed);
                }
                catch (Exception e) when (e is McpProtocolException or ToolCallException)
                {
                    // Not granted: the acknowledgement says so.
                }
            await request.Services!.GetRequiredService<DownstreamSessions>().RunAsync(session, async () =>
            {
                await session.NotifyAsync(ListenStream.SubscriptionsAcknowledged,
                    JsonSerializer.SerializeToNode(new SubscriptionsAcknowledgedNotificationParams { Notifications = granted }, McpJsonUtilities.DefaultOptions),
                    cancellationToken);
                await Task.Delay(Timeout.Infinite, cancellationToken);
            });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client closed the stream: that is how a listen request ends.
        }
        finally
        {
            foreach (var (server, uri) in subscribed)
                try
                {
                    await subscriptions.UnsubscribeAsync(session, server, uri, CancellationToken.None);
                }
                catch (ToolCallException)
                {
                    // The server is gone, and its subscription with it.
                }
        }
        return new EmptyResult();
    }

    /// <summary>The session of a request: <c>resources/subscribe</c> needs one (2026-07-28 clients use <c>subscriptions/listen</c>).</summary>
    static DownstreamSession Session<T>(RequestContext<T> request) =>
        request.Services!.GetRequiredService<DownstreamSessions>().Of(request.Server)
        ?? throw new McpProtocolException("resources/subscribe needs a session: connect with initialize (the 2025 revisions), or, in 2026-07-28, " +
            "use subscriptions/listen with resourceSubscriptions.", McpErrorCode.InvalidRequest);

    /// <summary>The server that owns <paramref name="exposedUri"/>, and the URI it knows it by.</summary>
    static (UpstreamConnection Server, string Uri) Owner<T>(RequestContext<T> request, string exposedUri) =>
        Endpoint(request) is { } endpoint
            ? (Routes(request).Server(CallerOf(request), endpoint), exposedUri)
            : Routes(request).ResolveUri(CallerOf(request), exposedUri);

    /// <summary>Sends a request about one resource to its server; on <c>/mcp</c>, the URIs in the result become merged ones.</summary>
    static async ValueTask<TResult> OnOwnerAsync<TParams, TResult>(RequestContext<TParams> request, string method, string exposedUri,
        Func<string, TParams> parameters, CancellationToken cancellationToken) where TParams : RequestParams where TResult : Result
    {
        var (server, uri) = Owner(request, exposedUri);
        var result = await SendAsync<TParams, TParams, TResult>(request, server, method, parameters(uri), cancellationToken);
        return Endpoint(request) is null ? RewriteUris(result, original => ExposedUri(server.Name, original)) : result;
    }

    static async ValueTask<TResult> ListAsync<TParams, TResult>(RequestContext<TParams> request, string method, Func<ServerCapabilities, bool> can,
        Func<UpstreamConnection, string?, TParams> parameters, Func<TResult, string?, TResult> withCursor, CancellationToken cancellationToken)
        where TParams : PaginatedRequestParams where TResult : PaginatedResult, new()
    {
        var routes = Routes(request);
        var caller = CallerOf(request);
        if (Endpoint(request) is { } endpoint)
        {
            var server = routes.Server(caller, endpoint);
            return await SendAsync<TParams, TParams, TResult>(request, server, method, request.Params ?? parameters(server, null), cancellationToken);
        }
        var (page, next) = await routes.PageAsync<TResult>(routes.Servers(caller, can), request.Params?.Cursor,
            (server, cursor) => ListOneAsync(server, cursor));
        return withCursor(page, next);

        async Task<TResult> ListOneAsync(UpstreamConnection server, string? cursor) =>
            RewriteUris(await SendAsync<TParams, TParams, TResult>(request, server, method, parameters(server, cursor), cancellationToken),
                uri => ExposedUri(server.Name, uri));
    }
}
