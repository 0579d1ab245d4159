using ModelContextProtocol.Protocol;

namespace McpOrch.Core.Catalog;

/// <summary>A tool as the proxy exposes it.</summary>
/// <param name="Name">The exposed name, e.g. <c>github.list_issues</c>.</param>
/// <param name="Server">The server that owns it.</param>
/// <param name="UpstreamName">Its name on that server.</param>
/// <param name="Tool">The server's definition under the exposed name: description, schemas, annotations and <c>_meta</c> unchanged.</param>
public sealed record CatalogTool(string Name, string Server, string UpstreamName, Tool Tool);
