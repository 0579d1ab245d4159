using McpOrch.Core.Catalog;
using McpOrch.Core.Configuration;
using McpOrch.Core.Security;
using McpOrch.Core.Upstreams;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Proxy.Api.Mcp;

/// <summary>
/// <c>tools/list</c> and <c>tools/call</c>, answered from the catalog and routed to the owning server through the
/// <see cref="ToolGate"/>. A session sees only the tools its caller's allow-list holds. On <c>/mcp/{server}</c> the
/// session sees that server alone, under the tools' own names. A server with <c>"isolation": "session"</c> lists, once
/// the session has its own process of it, that process's tools.
/// </summary>
public static class ProxyToolHandlers
{
    public const string ServerRouteValue = "server";

    public static async ValueTask<ListToolsResult> ListToolsAsync(RequestContext<ListToolsRequestParams> request, CancellationToken cancellationToken)
    {
        var upstreams = request.Services!.GetRequiredService<UpstreamRegistry>();
        var scope = McpRoutes.CallerOf(request).Scope;
        var server = McpRoutes.Endpoint(request);
        await upstreams.WaitForFirstAttemptsAsync(cancellationToken, server);
        var visible = upstreams.Catalog.Tools.Where(t => (server is null || t.Server == server) && scope.Allows(t.Server, t.Name));
        if (server is null)
        {
            var own = OwnTools(request);
            return new ListToolsResult
            {
                Tools = [.. visible.Where(t => !own.Servers.Contains(t.Server)).Concat(own.Tools.Tools.Where(t => scope.Allows(t.Server, t.Name))).Select(t => t.Tool)],
            };
        }
        // On the server's own endpoint, an isolated server lists the tools of the session's own connection.
        var connection = await McpRoutes.ForSessionAsync(request, Find(upstreams, server), cancellationToken);
        if (connection.Definition.IsolatePerSession && scope.Tools.Count == 0)
            return new ListToolsResult { Tools = [.. connection.Tools] };
        var names = visible.Select(t => t.UpstreamName).ToHashSet(StringComparer.Ordinal);
        return new ListToolsResult { Tools = [.. connection.Tools.Where(t => names.Contains(t.Name))] };
    }

    public static async ValueTask<CallToolResult> CallToolAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        var upstreams = request.Services!.GetRequiredService<UpstreamRegistry>();
        var name = request.Params?.Name ?? throw new McpProtocolException("tools/call needs a tool name.", McpErrorCode.InvalidParams);
        var endpoint = McpRoutes.Endpoint(request);
        var tool = endpoint is { } server
            ? upstreams.Catalog.Tools.FirstOrDefault(t => t.Server == server && t.UpstreamName == name)
                ?? new CatalogTool(name, server, name, new Tool { Name = name }) // Not listed (yet): the server decides.
            : OwnTools(request).Tools.Find(name) ?? await upstreams.FindToolAsync(name, cancellationToken)
                ?? throw new McpProtocolException($"Unknown tool '{name}': list the tools to see what is available.", McpErrorCode.InvalidParams);
        var call = new ToolCall(McpRoutes.CallerOf(request), "mcp", tool.Server, tool.UpstreamName, tool.Name, request.Params!.Arguments)
        {
            Meta = request.Params.Meta,
            ArgumentsProblem = InvalidParams.ArgumentsProblem(request),
            Connection = upstreams.Find(tool.Server) is { } shared ? await McpRoutes.ForSessionAsync(request, shared, cancellationToken) : null,
        };
        var gate = request.Services!.GetRequiredService<ToolGate>();
        try
        {
            var result = await PollWhenLongAsync(request, request.Services!.GetRequiredService<InputRounds>().RunAsync(request,
                (downstream, token) => gate.CallAsync(call with { Downstream = downstream }, token), cancellationToken), cancellationToken);
            // On /mcp, resource links and embedded resources name resources as /mcp does.
            return endpoint is null && result.Content.Any(c => c is ResourceLinkBlock or EmbeddedResourceBlock)
                ? McpRoutes.RewriteUris(result, uri => McpRoutes.ExposedUri(tool.Server, uri))
                : result;
        }
        catch (ToolCallException e) when (e.Failure is ToolCallFailure.Rejected or ToolCallFailure.Denied or ToolCallFailure.InvalidArguments)
        {
            throw new McpProtocolException(e.Message, e.ErrorCode ?? McpErrorCode.InvalidParams);
        }
        catch (ToolCallException e)
        {
            // Unavailable, timed out, rate limited, too large: a result the model can read, as the spec asks for tool execution errors.
            return new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = e.Message }] };
        }
    }

    /// <summary>
    /// Waits for <paramref name="call"/>; if it outlasts <c>server.sse_poll_after</c> on a Streamable HTTP session,
    /// ends the request's stream with a retry hint first (SSE polling): the answer then waits in the event store for
    /// the client's GET with Last-Event-ID. Over stdio, or for a client without a session, it simply waits.
    /// </summary>
    static async Task<CallToolResult> PollWhenLongAsync(RequestContext<CallToolRequestParams> request, Task<CallToolResult> call,
        CancellationToken cancellationToken)
    {
        var after = request.Services!.GetRequiredService<IOptions<OrchOptions>>().Value.Server.SsePollAfter;
        var response = request.Services!.GetService<IHttpContextAccessor>()?.HttpContext?.Response;
        if (response is null || (after > TimeSpan.Zero && await Task.WhenAny(call, Task.Delay(after, cancellationToken)) == call))
            return await call;
        var responseOver = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        response.OnCompleted(() => Task.FromResult(responseOver.TrySetResult()));
        try
        {
            await request.EnablePollingAsync(PollRetry, cancellationToken);
            // SDK 2.3.1 may still write an answer to the stream it is closing: answer once the response is over.
            await Task.WhenAny(responseOver.Task, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken));
        }
        catch (InvalidOperationException)
        {
            // No resumable stream for this request (a session-less client): it keeps the stream.
        }
        return await call;
    }

    /// <summary>How soon a client polling for a long call's answer comes back.</summary>
    static readonly TimeSpan PollRetry = TimeSpan.FromSeconds(1);

    /// <summary>The tools of the session's own connections (<c>"isolation": "session"</c>), as the merged <c>/mcp</c> names them.</summary>
    static (IReadOnlySet<string> Servers, ToolCatalog Tools) OwnTools<T>(RequestContext<T> request) =>
        request.Services!.GetRequiredService<SessionUpstreams>().OwnTools(request.Server.SessionId,
            request.Services!.GetRequiredService<IOptions<OrchOptions>>().Value.Server.ToolSeparator);

    static UpstreamConnection Find(UpstreamRegistry upstreams, string server) =>
        upstreams.Find(server) ?? throw new McpProtocolException($"No MCP server is named '{server}'.", McpErrorCode.InvalidParams);
}
