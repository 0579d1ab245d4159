namespace McpOrch.Core.Configuration;

/// <summary>What each LLM provider needs before it can plan, and how a person sets what is missing.</summary>
internal static class LlmRequirements
{
    /// <summary>The settings of <paramref name="provider"/>'s block that are needed and not set.</summary>
    public static IReadOnlyList<LlmSetting> Missing(LlmOptions llm, LlmProvider provider)
    {
        var block = Block(llm, provider);
        string[] needed = provider switch
        {
            LlmProvider.Azure => [nameof(block.Endpoint), nameof(block.ApiKey), nameof(block.Model)],
            // A local OpenAI-compatible server often wants no key.
            LlmProvider.OpenAI => block.Endpoint is null ? [nameof(block.ApiKey), nameof(block.Model)] : [nameof(block.Model)],
            LlmProvider.Anthropic => [nameof(block.ApiKey), nameof(block.Model)],
            LlmProvider.Bedrock => [nameof(block.Region), nameof(block.AccessKeyId), nameof(block.SecretAccessKey), nameof(block.Model)],
            _ => [nameof(block.Model)],
        };
        return [.. needed
            .Where(property => typeof(LlmProviderOptions).GetProperty(property)!.GetValue(block) is not string { Length: > 0 })
            .Select(property => new LlmSetting(provider, property))];
    }

    /// <summary>The block of <c>llm</c> that belongs to <paramref name="provider"/>.</summary>
    public static LlmProviderOptions Block(LlmOptions llm, LlmProvider provider) =>
        (LlmProviderOptions)typeof(LlmOptions).GetProperty(provider.ToString())!.GetValue(llm)!;

    /// <summary>The provider as config.yaml names it: <c>azure</c>, <c>openai</c>.</summary>
    public static string Name(LlmProvider provider) => SettingNames.YamlName(typeof(LlmOptions).GetProperty(provider.ToString())!);

    /// <summary>The errors for a configured provider that lacks settings, one per setting.</summary>
    public static IReadOnlyList<string> Errors(LlmOptions llm, LlmProvider provider) =>
        [.. Missing(llm, provider).Select(s => $"{s.Name} is not set: the {Name(provider)} provider needs it; {s.HowToSet}.")];
}
