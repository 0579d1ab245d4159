namespace McpOrch.Core.Configuration;

/// <summary>
/// The settings of <c>config.yaml</c>, bound from the configuration section <c>McpOrch</c>.
/// Every setting can be overridden by an environment variable or a command-line option
/// (see <see cref="OrchConfiguration"/> for the precedence).
/// </summary>
public sealed class OrchOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "McpOrch";

    /// <summary>Where and how the proxy listens.</summary>
    public ServerOptions Server { get; set; } = new();

    /// <summary>Authentication and API keys.</summary>
    public SecurityOptions Security { get; set; } = new();

    /// <summary>The LLM used to plan batch runs.</summary>
    public LlmOptions Llm { get; set; } = new();

    /// <summary>Limits for tool calls and batch steps.</summary>
    public ExecutionOptions Execution { get; set; } = new();
}
