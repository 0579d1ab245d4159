using McpOrch.Core.Upstreams;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Proxy.Api.Mcp;

/// <summary>
/// <c>tools/list</c> and <c>tools/call</c>, answered from the catalog and routed to the owning server. On
/// <c>/mcp/{server}</c> the session sees that server alone, under the tools' own names.
/// </summary>
public static class ProxyToolHandlers
{
    public const string ServerRouteValue = "server";

    public static async ValueTask<ListToolsResult> ListToolsAsync(RequestContext<ListToolsRequestParams> request, CancellationToken cancellationToken)
    {
        var upstreams = request.Services!.GetRequiredService<UpstreamRegistry>();
        if (SingleServer(request) is { } server)
        {
            var connection = Find(upstreams, server);
            await upstreams.WaitForFirstAttemptsAsync(cancellationToken, server);
            return new ListToolsResult { Tools = [.. connection.Tools] };
        }
        await upstreams.WaitForFirstAttemptsAsync(cancellationToken);
        return new ListToolsResult { Tools = [.. upstreams.Catalog.Tools.Select(t => t.Tool)] };
    }

    public static async ValueTask<CallToolResult> CallToolAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        var upstreams = request.Services!.GetRequiredService<UpstreamRegistry>();
        var name = request.Params?.Name ?? throw new McpProtocolException("tools/call needs a tool name.", McpErrorCode.InvalidParams);
        var (connection, tool) = SingleServer(request) is { } server
            ? (Find(upstreams, server), name)
            : await RouteAsync(upstreams, name, cancellationToken);
        try
        {
            return await connection.CallToolAsync(tool, request.Params!.Arguments, cancellationToken);
        }
        catch (ToolCallException e) when (e.Failure == ToolCallFailure.Rejected)
        {
            throw new McpProtocolException(e.Message, e.ErrorCode ?? McpErrorCode.InternalError);
        }
        catch (ToolCallException e)
        {
            // Unavailable or timed out: a result the model can read, as the spec asks for tool execution errors.
            return new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = e.Message }] };
        }
    }

    static async Task<(UpstreamConnection, string)> RouteAsync(UpstreamRegistry upstreams, string name, CancellationToken cancellationToken)
    {
        var tool = await upstreams.FindToolAsync(name, cancellationToken)
            ?? throw new McpProtocolException($"Unknown tool '{name}': list the tools to see what is available.", McpErrorCode.InvalidParams);
        return (upstreams.Find(tool.Server)!, tool.UpstreamName);
    }

    static UpstreamConnection Find(UpstreamRegistry upstreams, string server) =>
        upstreams.Find(server) ?? throw new McpProtocolException($"No MCP server is named '{server}'.", McpErrorCode.InvalidParams);

    /// <summary>The <c>{server}</c> of <c>/mcp/{server}</c>, when the request came that way.</summary>
    static string? SingleServer<T>(RequestContext<T> request) =>
        request.Services!.GetService<IHttpContextAccessor>()?.HttpContext?.GetRouteValue(ServerRouteValue) as string;
}
