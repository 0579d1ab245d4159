using System.Text.Json;
using McpOrch.Core.Catalog;
using ModelContextProtocol.Protocol;

namespace Proxy.Api.Apis;

/// <summary>A tool as <c>GET /tools</c> shows it.</summary>
/// <param name="Name">The name to call it by: <c>server.tool</c>.</param>
/// <param name="Server">The server that owns it.</param>
/// <param name="Tool">Its name on that server.</param>
public sealed record ToolInfo(string Name, string Server, string Tool, string? Title, string? Description,
    JsonElement InputSchema, JsonElement? OutputSchema, ToolAnnotations? Annotations)
{
    public static ToolInfo From(CatalogTool tool) => new(tool.Name, tool.Server, tool.UpstreamName, tool.Tool.Title,
        tool.Tool.Description, tool.Tool.InputSchema, tool.Tool.OutputSchema, tool.Tool.Annotations);
}
