using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpOrch.LocalServers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace McpOrch.Testing;

/// <summary>
/// A local stand-in for the LLM providers, so that tests go through their real clients: it speaks the OpenAI
/// chat-completions wire format on any path ending in <c>chat/completions</c> (OpenAI, Azure's v1 API) and the
/// Anthropic messages format on any other path (Anthropic, Claude on Bedrock). Each request gets the next
/// scripted answer; requests are kept for assertions.
/// </summary>
public sealed class FakeChatCompletions : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly ConcurrentQueue<string> _answers = new();
    readonly ConcurrentQueue<JsonObject> _requests = new();
    readonly ConcurrentQueue<(string Path, IHeaderDictionary Headers)> _calls = new();

    FakeChatCompletions(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    /// <summary>The base URL to give the OpenAI client (ends in <c>/v1</c>).</summary>
    public Uri Endpoint { get; }

    /// <summary>The request bodies received, in order.</summary>
    public IReadOnlyList<JsonObject> Requests => [.. _requests];

    /// <summary>The paths and headers of the requests received, in order.</summary>
    public IReadOnlyList<(string Path, IHeaderDictionary Headers)> Calls => [.. _calls];

    /// <summary>The server's root, for clients that take a base URL without <c>/v1</c>.</summary>
    public Uri Root => new(Endpoint.GetLeftPart(UriPartial.Authority));

    /// <summary>Starts the fake on a free loopback port.</summary>
    public static async Task<FakeChatCompletions> StartAsync()
    {
        var port = LoopbackPort.FindFree();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeChatCompletions(app, new Uri($"http://127.0.0.1:{port}/v1"));
        app.MapPost("/{**path}", fake.CompleteAsync);
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
        _calls.Enqueue((request.Path.Value!, new HeaderDictionary(request.Headers.ToDictionary(h => h.Key, h => h.Value))));
        if (!_answers.TryDequeue(out var content))
            return Results.Json(new { error = new { message = "The fake LLM has no answer scripted for this request.", type = "test" } }, statusCode: 500);
        if (!request.Path.Value!.EndsWith("chat/completions", StringComparison.Ordinal))
            return Results.Json(new
            {
                id = $"msg_{_requests.Count}",
                type = "message",
                role = "assistant",
                model = body["model"]?.GetValue<string>() ?? "fake",
                content = new[] { new { type = "text", text = content } },
                stop_reason = "end_turn",
                stop_sequence = (string?)null,
                usage = new { input_tokens = 10, output_tokens = 10 },
            });
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
