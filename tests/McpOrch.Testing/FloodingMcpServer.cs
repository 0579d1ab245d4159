using System.Text;
using System.Text.Json.Nodes;
using McpOrch.AppHost.BackingServers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace McpOrch.Testing;

/// <summary>
/// A Streamable HTTP MCP server (2025-11-25, JSON answers, no session) with one tool, <c>flood</c>, whose result is a text
/// of <c>bytes</c> bytes, written as it is made: nothing holds it, so a result far larger than memory allows can be
/// sent, and the server sees how much of it was taken before the client stopped reading.
/// </summary>
public sealed class FloodingMcpServer : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly TaskCompletionSource<(long Written, bool Aborted)> _flood = new(TaskCreationOptions.RunContinuationsAsynchronously);

    FloodingMcpServer(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    /// <summary>Its MCP endpoint.</summary>
    public Uri Endpoint { get; }

    /// <summary>
    /// How the first flood of more than a megabyte ended: the bytes of its answer written, and whether the client dropped
    /// the connection first.
    /// </summary>
    public Task<(long Written, bool Aborted)> Flooded => _flood.Task;

    public static async Task<FloodingMcpServer> StartAsync()
    {
        var port = LoopbackPort.FindFree();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FloodingMcpServer(app, new Uri($"http://127.0.0.1:{port}/mcp"));
        app.MapPost("/mcp", server.AnswerAsync);
        await app.StartAsync();
        return server;
    }

    async Task AnswerAsync(HttpContext context)
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
        await FloodAsync(context, id.ToJsonString(), message["params"]?["arguments"]?["bytes"]?.GetValue<long>() ?? 0);
    }

    async Task FloodAsync(HttpContext context, string id, long bytes)
    {
        var chunk = Encoding.UTF8.GetBytes(new string('x', 64 * 1024));
        long written = 0;
        try
        {
            await Write(Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":{{\"content\":[{{\"type\":\"text\",\"text\":\""));
            for (var left = bytes; left > 0; left -= chunk.Length)
                await Write(chunk.AsMemory(0, (int)Math.Min(left, chunk.Length)));
            await Write("\"}]}}"u8.ToArray());
            if (bytes > 1024 * 1024)
                _flood.TrySetResult((written, false));
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            _flood.TrySetResult((written, true));
        }

        async Task Write(ReadOnlyMemory<byte> data)
        {
            await context.Response.Body.WriteAsync(data, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            written += data.Length;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
