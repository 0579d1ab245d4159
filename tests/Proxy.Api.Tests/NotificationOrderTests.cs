using System.Text.Json.Nodes;
using McpOrch.Testing;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Proxy.Api.Tests;

/// <summary>
/// What a server says about a call before its result — progress, log messages — reaches the client before that
/// result, in the order the server said it, whatever the transports on either side. The servers here send their last
/// notification right before the result, and each path is taken many times, since a proxy that loses the order loses
/// it only now and then. The order is read off the client's wire: the SDK's own handlers run concurrently.
/// </summary>
public sealed class NotificationOrderTests(ProxyFixture fixture)
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    const int Calls = 20;
    const int Steps = 5;

    public static TheoryData<string, string, string> Paths => new()
    {
        // The server's transport, the client's (http-polling: every tool call moves to SSE polling), the client's revision.
        { "stdio", "http", "2025-11-25" },
        { "stdio", "http-polling", "2025-11-25" },
        { "stdio", "http", "2026-07-28" },
        { "stdio", "stdio", "2025-11-25" },
        { "stdio", "stdio", "2026-07-28" },
        { "http", "http", "2025-11-25" },
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Progress_and_log_messages_reach_the_client_before_the_result(string upstream, string downstream, string revision)
    {
        // The test server sends progress and a log message; server-everything over HTTP, progress only.
        await using var remote = upstream == "http" ? await RemoteEverything.StartAsync(fixture.Servers, "streamableHttp", Cancellation) : null;
        var servers = new JsonObject
        {
            ["test"] = remote is null ? ProxyUnderTest.TestServer() : new JsonObject { ["url"] = $"http://127.0.0.1:{remote.Port}/mcp" },
        };
        using var folder = ScratchDirectory.Create("order");
        await using var proxy = downstream == "stdio" ? null
            : await ProxyUnderTest.StartAsync(servers, downstream == "http-polling" ? "server:\n  sse_poll_after: 0s\n" : null);
        var transport = new RecordingClientTransport(proxy is not null
            ? new HttpClientTransport(new HttpClientTransportOptions
            {
                Endpoint = new Uri(proxy.Process.BaseAddress, "/mcp"),
                TransportMode = HttpTransportMode.StreamableHttp,
                AdditionalHeaders = TestCredentials.Headers(ProxyUnderTest.ProxySecret),
            })
            : await StdioAsync(folder, servers));
        await using var client = await McpClient.CreateAsync(transport, new McpClientOptions
        {
            ProtocolVersion = revision,
            DiscoverProbeTimeout = TimeSpan.FromSeconds(30), // Starting mcp-orch over stdio, not its answer, is slow on a busy machine.
        }, cancellationToken: Cancellation);
        // 2026-07-28 has no logging: such clients are not sent log messages.
        var logs = remote is null && revision != "2026-07-28";

        for (var call = 0; call < Calls; call++)
            await client.CallToolAsync(remote is null ? "test.progress_then_return" : "test.trigger-long-running-operation",
                remote is null
                    ? new Dictionary<string, object?> { ["count"] = Steps, ["label"] = $"call {call}" }
                    : new Dictionary<string, object?> { ["duration"] = 0, ["steps"] = Steps },
                new Progress<ProgressNotificationValue>(_ => { }), cancellationToken: Cancellation);

        var sent = transport.Sent.OfType<JsonRpcRequest>().Where(r => r.Method == RequestMethods.ToolsCall).ToList();
        var received = transport.Received;
        var late = new List<string>();
        for (var call = 0; call < Calls; call++)
        {
            var request = sent[call];
            var token = request.Params!["_meta"]!["progressToken"]!.ToJsonString();
            var answered = received.ToList().FindIndex(m => m is JsonRpcResponse response && response.Id == request.Id);
            Assert.True(answered >= 0, $"call {call} has no result");
            var before = received.Take(answered).OfType<JsonRpcNotification>().ToList();
            var progress = before.Where(n => n.Method == NotificationMethods.ProgressNotification && n.Params!["progressToken"]!.ToJsonString() == token)
                .Select(n => n.Params!["progress"]!.GetValue<double>()).ToList();
            if (!progress.SequenceEqual(Enumerable.Range(1, Steps).Select(step => (double)step)))
                late.Add($"call {call}: progress [{string.Join(", ", progress)}] before the result");
            if (logs && !before.Any(n => n.Method == NotificationMethods.LoggingMessageNotification && n.Params!["data"]?.ToJsonString() == JsonValue.Create($"call {call}").ToJsonString()))
                late.Add($"call {call}: its log message not before the result");
        }
        Assert.True(late.Count == 0, $"{late.Count} of {Calls * (logs ? 2 : 1)} notification sets arrived late, out of order or never:\n{string.Join("\n", late)}");
    }

    /// <summary>mcp-orch over stdio, started as an AI client starts it, with <paramref name="servers"/>.</summary>
    static async Task<IClientTransport> StdioAsync(ScratchDirectory folder, JsonObject servers)
    {
        var config = folder.Combine("servers.json");
        await File.WriteAllTextAsync(config, new JsonObject { ["mcpServers"] = servers }.ToJsonString(), Cancellation);
        return new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "mcp-orch",
            Command = "dotnet",
            Arguments = [BuildOutput.McpOrch, "--transport", "stdio", "--config", config],
            WorkingDirectory = folder.Path,
            EnvironmentVariables = new Dictionary<string, string?> { ["MCP_ORCH_DATA_DIR"] = folder.Combine("data") },
        });
    }
}
