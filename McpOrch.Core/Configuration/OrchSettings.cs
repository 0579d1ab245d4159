namespace McpOrch.Core.Configuration;

/// <summary>Everything read at start-up: the settings, the MCP servers, and what was ignored.</summary>
/// <param name="Options">The settings of config.yaml with every override applied.</param>
/// <param name="Servers">The servers of mcp-config.json.</param>
/// <param name="Warnings">Unknown keys and ignored values, one line each, to log at start-up.</param>
public sealed record OrchSettings(OrchOptions Options, McpServersConfiguration Servers, IReadOnlyList<string> Warnings);
