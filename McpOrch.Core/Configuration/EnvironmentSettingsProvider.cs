using System.Collections;
using Microsoft.Extensions.Configuration;

namespace McpOrch.Core.Configuration;

/// <summary>
/// Environment variables that override <c>config.yaml</c>: the names users know from other gateways and
/// cloud SDKs (<c>PROXY_PORT</c>, <c>AZURE_AI_API_KEY</c>, …), then the .NET form
/// (<c>McpOrch__Execution__MaxParallelTasks</c>), which wins when both are set.
/// </summary>
internal sealed class EnvironmentSettingsProvider(IReadOnlyDictionary<string, string> environment)
    : ConfigurationProvider, IDescribesSettingSource
{
    /// <summary>The well-known names and the settings they set.</summary>
    public static readonly IReadOnlyDictionary<string, string> WellKnown = new Dictionary<string, string>
    {
        ["PROXY_HOST"] = "McpOrch:Server:Host",
        ["PROXY_PORT"] = "McpOrch:Server:Port",
        ["LOG_LEVEL"] = "McpOrch:Server:LogLevel",
        ["MCP_CONFIG"] = "McpOrch:Server:McpConfig",
        ["MCP_ORCH_DATA_DIR"] = "McpOrch:Server:DataDir",
        ["API_KEY"] = "McpOrch:Security:ApiKey",
        ["JWT_SECRET"] = "McpOrch:Security:JwtSecret",
        ["AZURE_AI_ENDPOINT"] = "McpOrch:Llm:Azure:Endpoint",
        ["AZURE_AI_API_KEY"] = "McpOrch:Llm:Azure:ApiKey",
        ["OPENAI_API_KEY"] = "McpOrch:Llm:OpenAI:ApiKey",
        ["ANTHROPIC_API_KEY"] = "McpOrch:Llm:Anthropic:ApiKey",
        ["AWS_REGION"] = "McpOrch:Llm:Bedrock:Region",
        ["AWS_ACCESS_KEY_ID"] = "McpOrch:Llm:Bedrock:AccessKeyId",
        ["AWS_SECRET_ACCESS_KEY"] = "McpOrch:Llm:Bedrock:SecretAccessKey",
        ["OLLAMA_HOST"] = "McpOrch:Llm:Ollama:Endpoint",
    };

    /// <summary>How the .NET form of a setting starts: McpOrch__Execution__MaxParallelTasks.</summary>
    public const string DotNetPrefix = OrchOptions.SectionName + "__";
    readonly Dictionary<string, string> _sources = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The process environment as a dictionary.</summary>
    public static IReadOnlyDictionary<string, string> Process() =>
        Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);

    public string Describe(string key) => $"environment variable {_sources.GetValueOrDefault(key, key)}";

    public override void Load()
    {
        foreach (var (name, key) in WellKnown)
            if (environment.TryGetValue(name, out var value) && value.Length > 0)
                Set(key, value, name);
        foreach (var (name, value) in environment)
            if (name.StartsWith(DotNetPrefix, StringComparison.OrdinalIgnoreCase))
                Set(name.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal), value, name);
    }

    void Set(string key, string value, string name)
    {
        Data[key] = value;
        _sources[key] = name;
    }
}
