using YamlDotNet.Serialization;

namespace McpOrch.Core.Configuration;

/// <summary>The <c>llm</c> section of <c>config.yaml</c>: which provider plans batch runs, and one block per provider.</summary>
public sealed class LlmOptions
{
    /// <summary>The provider to use; none means batch runs need an explicit plan.</summary>
    public LlmProvider? Provider { get; set; }

    /// <summary>How often an invalid plan goes back to the model with the validator's errors before the run fails.</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 10)]
    public int MaxRepairs { get; set; } = 2;

    /// <summary>How often a run whose steps failed for good may be replanned with the results so far.</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 5)]
    public int MaxReplans { get; set; } = 1;

    /// <summary>At most this many characters of tool descriptions and schemas go into the planner's prompt.</summary>
    [System.ComponentModel.DataAnnotations.Range(1000, 1000000)]
    public int CatalogBudget { get; set; } = 60000;

    /// <summary>Azure OpenAI / Azure AI Foundry.</summary>
    public LlmProviderOptions Azure { get; set; } = new();

    /// <summary>OpenAI or any OpenAI-compatible endpoint.</summary>
    [YamlMember(Alias = "openai")]
    public LlmProviderOptions OpenAI { get; set; } = new();

    /// <summary>Anthropic.</summary>
    public LlmProviderOptions Anthropic { get; set; } = new();

    /// <summary>Claude on Amazon Bedrock.</summary>
    public LlmProviderOptions Bedrock { get; set; } = new();

    /// <summary>Ollama.</summary>
    public LlmProviderOptions Ollama { get; set; } = new();
}
