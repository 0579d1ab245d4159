using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpOrch.AppHost.BackingServers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace McpOrch.Testing;

/// <summary>
/// A local stand-in for an LLM provider that speaks the OpenAI chat-completions wire format, so that tests go
/// through the real OpenAI client. Each request gets the next scripted answer; requests are kept for assertions.
/// </summary>
public sealed class FakeChatCompletions : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly ConcurrentQueue<string> _answers = new();
    readonly ConcurrentQueue<JsonObject> _requests = new();

    FakeChatCompletions(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    /// <summary>The base URL to give the OpenAI client (ends in <c>/v1</c>).</summary>
    public Uri Endpoint { get; }

    /// <summary>The request bodies received, in order.</summary>
    public IReadOnlyList<JsonObject> Requests => [.. _requests];

    /// <summary>Starts the fake on a free loopback port.</summary>
    public static async Task<FakeChatCompletions> StartAsync()
    {
        var port = LoopbackPort.FindFree();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeChatCompletions(app, new Uri($"http://127.0.0.1:{port}/v1"));
        app.MapPost("/v1/chat/completions", fake.CompleteAsync);
        await app.StartAsync();
        return fake;
    }

    /// <summary>Queues the content of the next answer.</summary>
    public FakeChatCompletions Answer(string content)
    {
        _answers.Enqueue(content);
        return this;
    }

    async Task<IResult> CompleteAsync(HttpRequest request)
    {
        var body = (await JsonNode.ParseAsync(request.Body))!.AsObject();
        _requests.Enqueue(body);
        if (!_answers.TryDequeue(out var content))
            return Results.Json(new { error = new { message = "The fake LLM has no answer scripted for this request.", type = "test" } }, statusCode: 500);
        return Results.Json(new
        {
            id = $"chatcmpl-{_requests.Count}",
            @object = "chat.completion",
            created = 1_700_000_000,
            model = body["model"]?.GetValue<string>() ?? "fake",
            choices = new[] { new { index = 0, message = new { role = "assistant", content }, finish_reason = "stop" } },
            usage = new { prompt_tokens = 10, completion_tokens = 10, total_tokens = 20 },
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
