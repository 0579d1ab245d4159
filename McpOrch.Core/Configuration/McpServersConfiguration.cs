namespace McpOrch.Core.Configuration;

/// <summary>The servers of an <c>mcp-config.json</c>, in file order.</summary>
/// <param name="Source">The file they come from (it may not exist yet: then there are none), or null for parsed text.</param>
/// <param name="Servers">Every configured server, disabled ones included.</param>
public sealed record McpServersConfiguration(string? Source, IReadOnlyList<McpServerDefinition> Servers)
{
    /// <summary>No file, no servers.</summary>
    public static McpServersConfiguration Empty { get; } = new(null, []);

    /// <summary>
    /// Whether <paramref name="other"/> configures the server exactly as <paramref name="server"/> does, so a
    /// reload can leave it running.
    /// </summary>
    public static bool SameDefinition(McpServerDefinition server, McpServerDefinition other) =>
        System.Text.Json.JsonSerializer.Serialize(server) == System.Text.Json.JsonSerializer.Serialize(other);

    /// <summary>The servers to start.</summary>
    public IEnumerable<McpServerDefinition> Enabled => Servers.Where(s => !s.Disabled);
}
