namespace McpOrch.Core.Upstreams;

/// <summary>What a reload of mcp-config.json changed, by server name.</summary>
/// <param name="Added">New servers, now starting.</param>
/// <param name="Removed">Servers no longer configured, now stopped.</param>
/// <param name="Restarted">Servers whose configuration changed, restarted with the new one.</param>
/// <param name="Unchanged">Servers left running as they were.</param>
public sealed record ReloadResult(IReadOnlyList<string> Added, IReadOnlyList<string> Removed,
    IReadOnlyList<string> Restarted, IReadOnlyList<string> Unchanged);
