namespace McpOrch.Core.Configuration;

/// <summary>
/// The environment-only LLM setup: with no <c>llm.provider</c>, the provider that the well-known variables name
/// (<c>AZURE_AI_*</c>, <c>AWS_*</c>, <c>OPENAI_API_KEY</c>, <c>ANTHROPIC_API_KEY</c>, <c>OLLAMA_HOST</c>) is used when it is
/// the only one named and has everything it needs. Nothing is guessed otherwise: what was found and what is missing
/// becomes a start-up warning and the reason natural-language requests are refused.
/// </summary>
internal static class LlmProviderInference
{
    const string LlmPath = OrchOptions.SectionName + ":" + nameof(OrchOptions.Llm) + ":";

    /// <summary>Sets <see cref="LlmOptions.Provider"/> when the environment names one complete provider.</summary>
    /// <returns>Why the LLM settings that were found cannot plan ("found …; missing …"), or null.</returns>
    public static string? Infer(LlmOptions llm, IReadOnlyDictionary<string, string> environment, SettingsBinder binder, ConfigurationProblems problems)
    {
        if (llm.Provider is not null)
            return null;
        var named = EnvironmentSettingsProvider.WellKnown
            .Where(v => v.Value.StartsWith(LlmPath, StringComparison.Ordinal) && environment.GetValueOrDefault(v.Key) is { Length: > 0 })
            .GroupBy(v => Enum.Parse<LlmProvider>(v.Value[LlmPath.Length..].Split(':')[0]), v => v.Key)
            .OrderBy(g => g.Key)
            .ToList();
        string problem;
        if (named.Count == 0)
            return null;
        if (named.Count > 1)
            problem = $"found {string.Join(" and ", named.Select(g => $"{string.Join(", ", g)} for the {LlmRequirements.Name(g.Key)} provider"))}; " +
                "missing llm.provider, to choose one (set it in config.yaml, or McpOrch__Llm__Provider).";
        else
        {
            var provider = named[0].Key;
            var missing = LlmRequirements.Missing(llm, provider);
            if (missing.Count == 0)
            {
                llm.Provider = provider;
                return null;
            }
            var found = typeof(LlmProviderOptions).GetProperties()
                .Where(p => p.GetValue(LlmRequirements.Block(llm, provider)) is string { Length: > 0 })
                .Select(p => Found(new LlmSetting(provider, p.Name), binder));
            problem = $"found {string.Join(", ", found)} for the {LlmRequirements.Name(provider)} provider; " +
                $"missing {string.Join(", ", missing.Select(m => $"{m.Name} ({m.HowToSet})"))}.";
        }
        problems.Warning($"llm: {problem} Until then natural-language batch requests are refused (503).");
        return problem;
    }

    /// <summary>A setting that is set, by the name of its source: <c>AZURE_AI_ENDPOINT</c>, <c>llm.azure.model (config.yaml: line 30)</c>.</summary>
    static string Found(LlmSetting setting, SettingsBinder binder)
    {
        const string variable = "environment variable ";
        var source = binder.Describe(setting.Path);
        return source.StartsWith(variable, StringComparison.Ordinal) ? source[variable.Length..] : $"{setting.Name} ({source})";
    }
}
