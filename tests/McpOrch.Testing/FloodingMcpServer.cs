using System.Text;
using System.Text.Json.Nodes;
using McpOrch.LocalServers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace McpOrch.Testing;

/// <summary>
/// A Streamable HTTP MCP server (2025-11-25, JSON answers, no session) with one tool, <c>flood</c>, whose result is a text
/// of <c>bytes</c> bytes, written as it is made: nothing holds it, so a result far larger than memory allows can be
/// sent. (How much of it a client took is for a <see cref="RecordingForwarder"/> in front to tell: Kestrel drops the
/// writes that follow a dropped connection without a word, for a while.)
/// </summary>
public sealed class FloodingMcpServer : IAsyncDisposable
{
    readonly WebApplication _app;

    FloodingMcpServer(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    /// <summary>Its MCP endpoint.</summary>
    public Uri Endpoint { get; }

    public static async Task<FloodingMcpServer> StartAsync()
    {
        var port = LoopbackPort.FindFree();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FloodingMcpServer(app, new Uri($"http://127.0.0.1:{port}/mcp"));
        app.MapPost("/mcp", AnswerAsync);
        await app.StartAsync();
        return server;
    }

    static async Task AnswerAsync(HttpContext context)
    {
        var message = (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))!.AsObject();
        if (message["id"] is not { } id)
        {
            context.Response.StatusCode = StatusCodes.Status202Accepted; // A notification.
            return;
        }
        var result = message["method"]?.GetValue<string>() switch
        {
            "initialize" => new JsonObject
            {
                ["protocolVersion"] = "2025-11-25",
                ["capabilities"] = new JsonObject { ["tools"] = new JsonObject() },
                ["serverInfo"] = new JsonObject { ["name"] = "flooding", ["version"] = "1.0.0" },
            },
            "tools/list" => new JsonObject
            {
                ["tools"] = new JsonArray(new JsonObject
                {
                    ["name"] = "flood",
                    ["description"] = "Returns a text of `bytes` bytes.",
                    ["inputSchema"] = JsonNode.Parse("""{"type": "object", "properties": {"bytes": {"type": "integer"}}, "required": ["bytes"]}"""),
                }),
            },
            "tools/call" => null,
            _ => new JsonObject(),
        };
        context.Response.ContentType = "application/json";
        if (result is not null)
        {
            await context.Response.WriteAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id.DeepClone(), ["result"] = result }.ToJsonString());
            return;
        }
        try
        {
            await FloodAsync(context, id.ToJsonString(), message["params"]?["arguments"]?["bytes"]?.GetValue<long>() ?? 0);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client went away: what it did not take is not sent.
        }
    }

    static async Task FloodAsync(HttpContext context, string id, long bytes)
    {
        var body = context.Response.Body;
        var chunk = Encoding.UTF8.GetBytes(new string('x', 64 * 1024));
        await body.WriteAsync(Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":{{\"content\":[{{\"type\":\"text\",\"text\":\""),
            context.RequestAborted);
        for (var left = bytes; left > 0; left -= chunk.Length)
            await body.WriteAsync(chunk.AsMemory(0, (int)Math.Min(left, chunk.Length)), context.RequestAborted);
        await body.WriteAsync("\"}]}}"u8.ToArray(), context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
