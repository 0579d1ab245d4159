using System.Text.Json;
using ModelContextProtocol;

namespace McpOrch.Core.Catalog;

/// <summary>Making and (de)serializing snapshots; tool definitions keep the MCP wire format.</summary>
internal static class CatalogSnapshots
{
    public static CatalogSnapshot From(ToolCatalog catalog, long version, DateTimeOffset now) =>
        new(version, now, [.. catalog.Tools.Select(t => new CatalogSnapshotTool(t.Name, t.Server, t.UpstreamName, t.Tool))]);

    public static string Serialize(CatalogSnapshot snapshot) => JsonSerializer.Serialize(snapshot, McpJsonUtilities.DefaultOptions);

    public static CatalogSnapshot? Deserialize(string json) => JsonSerializer.Deserialize<CatalogSnapshot>(json, McpJsonUtilities.DefaultOptions);
}
