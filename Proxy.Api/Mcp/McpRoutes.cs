using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpOrch.Core.Catalog;
using McpOrch.Core.Configuration;
using McpOrch.Core.Security;
using McpOrch.Core.Upstreams;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Proxy.Api.Security;
using Proxy.Api.Stdio;

namespace Proxy.Api.Mcp;

/// <summary>
/// Where a request of a client session goes, and how names cross the proxy. On <c>/mcp/{server}</c> everything passes
/// unchanged to that server. On the merged <c>/mcp</c>, prompts are named <c>server.prompt</c> like tools, resource
/// URIs become <c>mcp-orch://server/original-uri</c> (two servers' <c>file:///a</c> stay apart, in tool results too),
/// and lists are paged with the proxy's own cursors, one upstream page at a time.
/// </summary>
public sealed class McpRoutes(UpstreamRegistry upstreams, IOptions<OrchOptions> options)
{
    const string UriPrefix = "mcp-orch://";

    string Separator => options.Value.Server.ToolSeparator;

    /// <summary>The caller of a request: the authenticated one over HTTP, the local user over stdio (which has no user).</summary>
    public static Caller CallerOf<T>(RequestContext<T> request) =>
        request.User is { } user
            ? user.Identities.OfType<CallerIdentity>().FirstOrDefault()?.Caller
                ?? throw new McpProtocolException("The request is not authenticated.", McpErrorCode.InvalidRequest)
            : Stdio(request)?.Caller ?? throw new McpProtocolException("The request is not authenticated.", McpErrorCode.InvalidRequest);

    /// <summary>The <c>{server}</c> of <c>/mcp/{server}</c>, when the request came that way, or the server a stdio bridge serves.</summary>
    public static string? Endpoint<T>(RequestContext<T> request) =>
        request.User is not null
            ? request.Services!.GetService<IHttpContextAccessor>()?.HttpContext?.GetRouteValue(ProxyToolHandlers.ServerRouteValue) as string
            : Stdio(request)?.Bridge;

    static StdioSession? Stdio<T>(RequestContext<T> request) => request.Services!.GetService<StdioSession>();

    public static IDownstream Downstream<T>(RequestContext<T> request) =>
        new McpDownstream(request.Server, request.Services!.GetService<DownstreamSessions>()?.Of(request.Server)?.LogLevel);

    /// <summary>The connection a request of this session uses for <paramref name="server"/>: its own with <c>"isolation": "session"</c>.</summary>
    public static Task<UpstreamConnection> ForSessionAsync<T>(RequestContext<T> request, UpstreamConnection server, CancellationToken cancellationToken) =>
        request.Services!.GetRequiredService<SessionUpstreams>().ForAsync(request.Server.SessionId, server, request.Server.ClientCapabilities, cancellationToken);

    /// <summary>Sends a client's request to <paramref name="server"/> (the session's own connection of it, if isolated).</summary>
    public static Task<TResult> SendAsync<T, TParams, TResult>(RequestContext<T> request, UpstreamConnection server, string method, TParams parameters,
        CancellationToken cancellationToken) where T : RequestParams where TParams : RequestParams where TResult : Result =>
        request.Services!.GetRequiredService<InputRounds>().RunAsync(request, async (downstream, token) =>
            await (await ForSessionAsync(request, server, token)).SendAsync<TParams, TResult>(method, parameters, token, downstream), cancellationToken);

    /// <summary>The connected servers the caller may use that can do <paramref name="can"/>, in configuration order.</summary>
    public IReadOnlyList<UpstreamConnection> Servers(Caller caller, Func<ServerCapabilities, bool> can) =>
        [.. upstreams.Connections.Where(c => c.Capabilities is { } capabilities && can(capabilities) && caller.Scope.AllowsServer(c.Name, Separator))];

    /// <summary>The server named <paramref name="server"/>, if the caller may use it.</summary>
    public UpstreamConnection Server(Caller caller, string server) =>
        upstreams.Find(server) is { } connection && caller.Scope.AllowsServer(server, Separator)
            ? connection
            : throw new McpProtocolException($"No MCP server '{server}' is available to '{caller.Name}'.", McpErrorCode.InvalidParams);

    /// <summary>The merged resource URI of <paramref name="uri"/> on <paramref name="server"/>.</summary>
    public static string ExposedUri(string server, string uri) => $"{UriPrefix}{server}/{uri}";

    /// <summary>The server and original URI of a merged resource URI.</summary>
    public (UpstreamConnection Server, string Uri) ResolveUri(Caller caller, string exposed)
    {
        if (exposed.StartsWith(UriPrefix, StringComparison.Ordinal) && exposed[UriPrefix.Length..].Split('/', 2) is [var server, var uri])
            return (Server(caller, server), uri);
        throw new McpProtocolException($"'{exposed}' is not a resource of this endpoint: its resources are named {UriPrefix}<server>/<uri>.",
            McpErrorCode.InvalidParams);
    }

    /// <summary>The merged name of a prompt.</summary>
    public string ExposedName(string server, string prompt) => ToolNames.Qualify(server, prompt, Separator);

    /// <summary>The server and original name of a merged prompt name: the longest server name that prefixes it.</summary>
    public (UpstreamConnection Server, string Name) ResolveName(Caller caller, string exposed) =>
        upstreams.OwnerOf(exposed) is { } connection
            ? (Server(caller, connection.Name), exposed[(connection.Name.Length + Separator.Length)..])
            : throw new McpProtocolException($"Unknown prompt '{exposed}': list the prompts to see what is available.", McpErrorCode.InvalidParams);

    /// <summary>
    /// One page of a merged list: the page of the server the cursor points at, and a cursor for what follows (that
    /// server's next page, else the next server's first).
    /// </summary>
    public async Task<(TResult Page, string? NextCursor)> PageAsync<TResult>(IReadOnlyList<UpstreamConnection> servers, string? cursor,
        Func<UpstreamConnection, string?, Task<TResult>> list) where TResult : PaginatedResult, new()
    {
        if (servers.Count == 0)
            return (new TResult(), null);
        var (name, upstreamCursor) = cursor is null ? (servers[0].Name, null) : Decode(cursor);
        var index = servers.ToList().FindIndex(s => s.Name == name);
        if (index < 0)
            throw new McpProtocolException("The cursor is no longer valid (its server is gone): list again from the start.", McpErrorCode.InvalidParams);
        var page = await list(servers[index], upstreamCursor);
        var next = page.NextCursor is { } more ? Encode(name, more) : index + 1 < servers.Count ? Encode(servers[index + 1].Name, null) : null;
        return (page, next);
    }

    static string Encode(string server, string? cursor) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new[] { server, cursor })));

    static (string Server, string? Cursor) Decode(string cursor)
    {
        try
        {
            var parts = JsonSerializer.Deserialize<string?[]>(Base64Url.DecodeFromChars(cursor));
            if (parts is [{ } server, var upstream])
                return (server, upstream);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
        }
        throw new McpProtocolException("The cursor is not one this endpoint gave out.", McpErrorCode.InvalidParams);
    }

    /// <summary>
    /// <paramref name="value"/> with every <c>uri</c> (and <c>uriTemplate</c>) of resources rewritten by
    /// <paramref name="rewrite"/>: in resource lists, contents, resource links and embedded resources.
    /// </summary>
    public static T RewriteUris<T>(T value, Func<string, string> rewrite)
    {
        var node = JsonSerializer.SerializeToNode(value, McpJsonUtilities.DefaultOptions);
        Rewrite(node, rewrite);
        return JsonSerializer.Deserialize<T>(node, McpJsonUtilities.DefaultOptions)!;
    }

    static void Rewrite(JsonNode? node, Func<string, string> rewrite)
    {
        switch (node)
        {
            case JsonObject item:
                foreach (var key in new[] { "uri", "uriTemplate" })
                    if (item[key] is JsonValue uri && uri.TryGetValue<string>(out var text))
                        item[key] = rewrite(text);
                // Tool results: only the content blocks, never structuredContent (the tool's own data).
                foreach (var (key, child) in item.ToList())
                    if (key is not ("structuredContent" or "_meta" or "inputSchema" or "outputSchema"))
                        Rewrite(child, rewrite);
                break;
            case JsonArray items:
                foreach (var child in items)
                    Rewrite(child, rewrite);
                break;
        }
    }

    /// <summary>
    /// <paramref name="handler"/>, with an upstream's failure (<see cref="ToolCallException"/>) turned into the JSON-RPC
    /// error the client should see: every handler that forwards to a server is registered through this.
    /// </summary>
    public static McpRequestHandler<TParams, TResult> Forwarding<TParams, TResult>(McpRequestHandler<TParams, TResult> handler) =>
        async (request, cancellationToken) =>
        {
            try
            {
                return await handler(request, cancellationToken);
            }
            catch (ToolCallException e)
            {
                throw new McpProtocolException(e.Message,
                    e.Failure == ToolCallFailure.Rejected ? e.ErrorCode ?? McpErrorCode.InternalError : McpErrorCode.InternalError);
            }
        };
}
