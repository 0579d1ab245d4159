namespace McpOrch.Core.Configuration;

/// <summary>The servers of an <c>mcp-config.json</c>, in file order.</summary>
/// <param name="Source">The file they were read from, or null when there was none.</param>
/// <param name="Servers">Every configured server, disabled ones included.</param>
public sealed record McpServersConfiguration(string? Source, IReadOnlyList<McpServerDefinition> Servers)
{
    /// <summary>No file, no servers.</summary>
    public static McpServersConfiguration Empty { get; } = new(null, []);

    /// <summary>The servers to start.</summary>
    public IEnumerable<McpServerDefinition> Enabled => Servers.Where(s => !s.Disabled);
}
