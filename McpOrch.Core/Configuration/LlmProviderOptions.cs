namespace McpOrch.Core.Configuration;

/// <summary>One provider's block in the <c>llm</c> section; each provider uses the fields it needs.</summary>
public sealed class LlmProviderOptions
{
    /// <summary>The service URL (Azure, OpenAI-compatible, Ollama).</summary>
    public string? Endpoint { get; set; }

    /// <summary>The API key.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The model or deployment name.</summary>
    public string? Model { get; set; }

    /// <summary>The cloud region (Bedrock).</summary>
    public string? Region { get; set; }

    /// <summary>The access key id (Bedrock).</summary>
    public string? AccessKeyId { get; set; }

    /// <summary>The secret access key (Bedrock).</summary>
    public string? SecretAccessKey { get; set; }
}
