using System.ClientModel;
using System.ClientModel.Primitives;
using Anthropic;
using Anthropic.Bedrock;
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

    /// <summary>Plans are short; this bounds an answer that runs away.</summary>
    const int MaxOutputTokens = 8192;

    /// <summary>Null when no provider is configured: batch runs then need an explicit plan.</summary>
    /// <exception cref="OrchConfigurationException">The provider's block lacks what it needs; the message names every missing setting.</exception>
    public static IChatClient? Create(LlmOptions llm, ILoggerFactory loggerFactory)
    {
        if (llm.Provider is not { } provider)
            return null;
        // Every setting is checked here, so that one message names all that is missing; the builders below rely on it.
        if (LlmRequirements.Errors(llm, provider) is { Count: > 0 } missing)
            throw new OrchConfigurationException(missing);
        var inner = provider switch
        {
            LlmProvider.OpenAI => OpenAi(llm.OpenAI),
            LlmProvider.Azure => Azure(llm.Azure),
            LlmProvider.Anthropic => Anthropic(llm.Anthropic),
            LlmProvider.Bedrock => Bedrock(llm.Bedrock),
            _ => new OllamaApiClient(new Uri(llm.Ollama.Endpoint ?? "http://127.0.0.1:11434"), llm.Ollama.Model!),
        };
        return new ChatClientBuilder(inner)
            .UseLogging(loggerFactory)
            .UseOpenTelemetry(loggerFactory, TelemetrySource)
            .Build();
    }

    /// <summary>OpenAI, or any OpenAI-compatible server (vLLM, LM Studio, llama.cpp…) by its endpoint.</summary>
    static IChatClient OpenAi(LlmProviderOptions openai)
    {
        var options = new OpenAIClientOptions();
        if (openai.Endpoint is { } endpoint)
            options.Endpoint = new Uri(endpoint);
        // A local OpenAI-compatible server often wants no key; the client needs one all the same.
        return new OpenAIClient(new ApiKeyCredential(openai.ApiKey ?? "unused"), options).GetChatClient(openai.Model!).AsIChatClient();
    }

    /// <summary>Azure OpenAI / AI Foundry through its OpenAI-compatible v1 API; <c>model</c> is the deployment name.</summary>
    static IChatClient Azure(LlmProviderOptions azure)
    {
        var endpoint = azure.Endpoint!.TrimEnd('/');
        var key = azure.ApiKey!;
        var options = new OpenAIClientOptions
        {
            Endpoint = new Uri(endpoint.EndsWith("/openai/v1", StringComparison.OrdinalIgnoreCase) ? endpoint : endpoint + "/openai/v1"),
        };
        // Azure reads its key from the api-key header.
        options.AddPolicy(new ApiKeyHeaderPolicy(key), PipelinePosition.PerCall);
        return new OpenAIClient(new ApiKeyCredential(key), options).GetChatClient(azure.Model!).AsIChatClient();
    }

    static IChatClient Anthropic(LlmProviderOptions anthropic)
    {
        var key = anthropic.ApiKey!;
        var client = anthropic.Endpoint is { } endpoint ? new AnthropicClient { ApiKey = key, BaseUrl = endpoint } : new AnthropicClient { ApiKey = key };
        return client.AsIChatClient(anthropic.Model!, MaxOutputTokens);
    }

    /// <summary>Claude on Amazon Bedrock, signed with the configured AWS credentials.</summary>
    static IChatClient Bedrock(LlmProviderOptions bedrock)
    {
        var credentials = new AnthropicBedrockPrivateKeyCredentials
        {
            Region = bedrock.Region!,
            ApiAccessKey = bedrock.AccessKeyId!,
            ApiSecret = bedrock.SecretAccessKey!,
        };
        // The endpoint is for a VPC endpoint or a test double; by default the client derives it from the region.
        var client = bedrock.Endpoint is { } endpoint ? new AnthropicBedrockClient(credentials) { BaseUrl = endpoint } : new AnthropicBedrockClient(credentials);
        return client.AsIChatClient(bedrock.Model!, MaxOutputTokens);
    }

    sealed class ApiKeyHeaderPolicy(string key) : PipelinePolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Set("api-key", key);
            ProcessNext(message, pipeline, currentIndex);
        }

        public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Set("api-key", key);
            await ProcessNextAsync(message, pipeline, currentIndex);
        }
    }
}
