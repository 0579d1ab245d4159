using ModelContextProtocol.Protocol;

namespace McpOrch.Core.Catalog;

/// <summary>
/// The merged catalog as other services read it, without connecting to the MCP servers themselves.
/// </summary>
/// <param name="Version">Grows with every publication, across restarts of the publisher when the store keeps it.</param>
/// <param name="PublishedAt">When it was published.</param>
/// <param name="Tools">Every tool, as <see cref="ToolCatalog.Tools"/>.</param>
public sealed record CatalogSnapshot(long Version, DateTimeOffset PublishedAt, IReadOnlyList<CatalogSnapshotTool> Tools);

/// <summary>One tool of a <see cref="CatalogSnapshot"/>.</summary>
/// <param name="Name">The exposed name.</param>
/// <param name="Server">The owning server.</param>
/// <param name="UpstreamName">Its name on that server.</param>
/// <param name="Tool">The definition under the exposed name.</param>
public sealed record CatalogSnapshotTool(string Name, string Server, string UpstreamName, Tool Tool);
