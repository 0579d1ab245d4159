namespace McpOrch.Core.Configuration;

/// <summary>One setting of an LLM provider's block.</summary>
/// <param name="Provider">Whose block.</param>
/// <param name="Property">The <see cref="LlmProviderOptions"/> property.</param>
internal sealed record LlmSetting(LlmProvider Provider, string Property)
{
    string Block => typeof(LlmOptions).GetProperty(Provider.ToString())!.Name;

    /// <summary>The configuration path: <c>McpOrch:Llm:Azure:Model</c>.</summary>
    public string Path => $"{OrchOptions.SectionName}:{nameof(OrchOptions.Llm)}:{Block}:{Property}";

    /// <summary>The dotted name: <c>llm.azure.model</c>.</summary>
    public string Name => $"llm.{LlmRequirements.Name(Provider)}.{SettingNames.YamlName(typeof(LlmProviderOptions).GetProperty(Property)!)}";

    /// <summary>The environment variable the spec names for it (<c>AZURE_AI_ENDPOINT</c>), if there is one.</summary>
    public string? WellKnownVariable => EnvironmentSettingsProvider.WellKnown.FirstOrDefault(v => v.Value == Path).Key;

    /// <summary>E.g. "set AZURE_AI_ENDPOINT, or llm.azure.endpoint in config.yaml".</summary>
    public string HowToSet => (WellKnownVariable is { } variable
            ? $"set {variable}, or {Name} in config.yaml"
            : $"set {Name} in config.yaml, or {Path.Replace(":", "__", StringComparison.Ordinal)}")
        + (Provider == LlmProvider.OpenAI && Property == nameof(LlmProviderOptions.ApiKey)
            ? " (or llm.openai.endpoint, for a server that needs no key)"
            : "");
}
