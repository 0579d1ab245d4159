namespace McpOrch.Core.Configuration;

/// <summary>The LLM providers a planner can use.</summary>
public enum LlmProvider
{
    /// <summary>Azure OpenAI / Azure AI Foundry.</summary>
    Azure,

    /// <summary>OpenAI or an OpenAI-compatible endpoint.</summary>
    OpenAI,

    /// <summary>Anthropic.</summary>
    Anthropic,

    /// <summary>Claude on Amazon Bedrock.</summary>
    Bedrock,

    /// <summary>Ollama.</summary>
    Ollama,
}
