using McpOrch.Core.Catalog;
using McpOrch.Core.Security;
using McpOrch.Core.Upstreams;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Proxy.Api.Security;

namespace Proxy.Api.Mcp;

/// <summary>
/// <c>tools/list</c> and <c>tools/call</c>, answered from the catalog and routed to the owning server through the
/// <see cref="ToolGate"/>. A session sees only the tools its caller's allow-list holds. On <c>/mcp/{server}</c> the
/// session sees that server alone, under the tools' own names.
/// </summary>
public static class ProxyToolHandlers
{
    public const string ServerRouteValue = "server";

    public static async ValueTask<ListToolsResult> ListToolsAsync(RequestContext<ListToolsRequestParams> request, CancellationToken cancellationToken)
    {
        var upstreams = request.Services!.GetRequiredService<UpstreamRegistry>();
        var scope = CallerOf(request).Scope;
        var server = SingleServer(request);
        await upstreams.WaitForFirstAttemptsAsync(cancellationToken, server);
        var visible = upstreams.Catalog.Tools.Where(t => (server is null || t.Server == server) && scope.Allows(t.Server, t.Name));
        if (server is null)
            return new ListToolsResult { Tools = [.. visible.Select(t => t.Tool)] };
        var names = visible.Select(t => t.UpstreamName).ToHashSet(StringComparer.Ordinal);
        return new ListToolsResult { Tools = [.. Find(upstreams, server).Tools.Where(t => names.Contains(t.Name))] };
    }

    public static async ValueTask<CallToolResult> CallToolAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        var upstreams = request.Services!.GetRequiredService<UpstreamRegistry>();
        var name = request.Params?.Name ?? throw new McpProtocolException("tools/call needs a tool name.", McpErrorCode.InvalidParams);
        var tool = SingleServer(request) is { } server
            ? upstreams.Catalog.Tools.FirstOrDefault(t => t.Server == server && t.UpstreamName == name)
                ?? new CatalogTool(name, server, name, new Tool { Name = name }) // Not listed (yet): the server decides.
            : await upstreams.FindToolAsync(name, cancellationToken)
                ?? throw new McpProtocolException($"Unknown tool '{name}': list the tools to see what is available.", McpErrorCode.InvalidParams);
        var call = new ToolCall(CallerOf(request), "mcp", tool.Server, tool.UpstreamName, tool.Name, request.Params!.Arguments);
        try
        {
            return await request.Services!.GetRequiredService<ToolGate>().CallAsync(call, cancellationToken);
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
    /// The session's caller: the authenticated one over HTTP; over stdio, the local user who started mcp-orch
    /// (registered as a <see cref="Caller"/> service).
    /// </summary>
    static Caller CallerOf<T>(RequestContext<T> request) =>
        request.User?.Identities.OfType<CallerIdentity>().FirstOrDefault()?.Caller
        ?? request.Services!.GetService<Caller>()
        ?? throw new McpProtocolException("The request is not authenticated.", McpErrorCode.InvalidRequest);

    static UpstreamConnection Find(UpstreamRegistry upstreams, string server) =>
        upstreams.Find(server) ?? throw new McpProtocolException($"No MCP server is named '{server}'.", McpErrorCode.InvalidParams);

    /// <summary>The <c>{server}</c> of <c>/mcp/{server}</c>, when the request came that way.</summary>
    static string? SingleServer<T>(RequestContext<T> request) =>
        request.Services!.GetService<IHttpContextAccessor>()?.HttpContext?.GetRouteValue(ServerRouteValue) as string;
}
