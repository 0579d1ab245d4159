using McpOrch.Core.Upstreams;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Proxy.Api.Mcp;

/// <summary><c>tools/list</c> and <c>tools/call</c> of the merged endpoint, answered from the catalog and routed to the owning server.</summary>
public static class ProxyToolHandlers
{
    public static async ValueTask<ListToolsResult> ListToolsAsync(RequestContext<ListToolsRequestParams> request, CancellationToken cancellationToken)
    {
        var upstreams = request.Services!.GetRequiredService<UpstreamRegistry>();
        await upstreams.WaitForFirstAttemptsAsync(cancellationToken);
        return new ListToolsResult { Tools = [.. upstreams.Catalog.Tools.Select(t => t.Tool)] };
    }

    public static async ValueTask<CallToolResult> CallToolAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        var upstreams = request.Services!.GetRequiredService<UpstreamRegistry>();
        var name = request.Params?.Name ?? throw new McpProtocolException("tools/call needs a tool name.", McpErrorCode.InvalidParams);
        var tool = await upstreams.FindToolAsync(name, cancellationToken)
            ?? throw new McpProtocolException($"Unknown tool '{name}': list the tools to see what is available.", McpErrorCode.InvalidParams);
        var server = upstreams.Find(tool.Server)!;
        try
        {
            return await server.CallToolAsync(tool.UpstreamName, request.Params!.Arguments, cancellationToken);
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
}
