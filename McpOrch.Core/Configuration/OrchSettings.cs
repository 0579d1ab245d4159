namespace McpOrch.Core.Configuration;

/// <summary>Everything read at start-up: the settings, the MCP servers, and what was ignored.</summary>
/// <param name="Options">The settings of config.yaml with every override applied.</param>
/// <param name="Servers">The servers of mcp-config.json.</param>
/// <param name="Warnings">Unknown keys and ignored values, one line each, to log at start-up.</param>
public sealed record OrchSettings(OrchOptions Options, McpServersConfiguration Servers, IReadOnlyList<string> Warnings)
{
    /// <summary>
    /// Why the LLM settings found in the environment cannot plan, with no <c>llm.provider</c> set: "found AZURE_AI_ENDPOINT,
    /// AZURE_AI_API_KEY for the azure provider; missing llm.azure.model (…)". Names, never values. Null when none were found,
    /// or when they named one provider with everything it needs (then <see cref="LlmOptions.Provider"/> is that one).
    /// </summary>
    public string? LlmProblem { get; init; }
}
