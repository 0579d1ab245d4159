using System.ClientModel;
using McpOrch.Core.Configuration;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using OllamaSharp;
using OpenAI;

namespace McpOrch.Core.Planning;

/// <summary>The planner's <see cref="IChatClient"/>, built from the <c>llm</c> settings, with telemetry and logging.</summary>
public static class ChatClientFactory
{
    /// <summary>The activity source and meter of LLM calls.</summary>
    public const string TelemetrySource = "McpOrch.Llm";

    /// <summary>Null when no provider is configured: batch runs then need an explicit plan.</summary>
    /// <exception cref="OrchConfigurationException">The provider's block lacks what it needs, or the provider is not supported yet.</exception>
    public static IChatClient? Create(LlmOptions llm, ILoggerFactory loggerFactory)
    {
        if (llm.Provider is not { } provider)
            return null;
        var inner = provider switch
        {
            LlmProvider.OpenAI => OpenAi(llm.OpenAI),
            LlmProvider.Ollama => new OllamaApiClient(new Uri(llm.Ollama.Endpoint ?? "http://127.0.0.1:11434"), Require(llm.Ollama.Model, "ollama", "model")),
            _ => throw new OrchConfigurationException([$"llm.provider: '{provider.ToString().ToLowerInvariant()}' is not supported yet: use openai (any OpenAI-compatible endpoint) or ollama."]),
        };
        return new ChatClientBuilder(inner)
            .UseLogging(loggerFactory)
            .UseOpenTelemetry(loggerFactory, TelemetrySource)
            .Build();
    }

    static IChatClient OpenAi(LlmProviderOptions openai)
    {
        var model = Require(openai.Model, "openai", "model");
        var options = new OpenAIClientOptions();
        if (openai.Endpoint is { } endpoint)
            options.Endpoint = new Uri(endpoint);
        // A local OpenAI-compatible server often wants no key; the client needs one all the same.
        var key = openai.ApiKey ?? (openai.Endpoint is null
            ? throw new OrchConfigurationException(["llm.openai.api_key is not set: set OPENAI_API_KEY, or give llm.openai.endpoint for a server that needs no key."])
            : "unused");
        return new OpenAIClient(new ApiKeyCredential(key), options).GetChatClient(model).AsIChatClient();
    }

    static string Require(string? value, string provider, string key) =>
        value ?? throw new OrchConfigurationException([$"llm.{provider}.{key} is not set: the {provider} provider needs it."]);
}
