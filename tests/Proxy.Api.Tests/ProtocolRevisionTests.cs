using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Proxy.Api.Tests;

/// <summary>
/// Servers and clients of both protocol eras, crossed. tests/McpOrch.TestServer speaks both (the proxy picks 2025-11-25)
/// or, with <c>--revision</c>, 2026-07-28 alone (it refuses initialize, and the proxy falls back to its revision). What
/// the eras carry differently — sampling and roots as requests or as <c>input_required</c> results, the log level set
/// once or sent with each request, list changes on the session or on a <c>subscriptions/listen</c> stream — reaches
/// clients of either era.
/// </summary>
public sealed class ProtocolRevisionTests
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    static async Task<ProxyUnderTest> StartAsync(string? serverRevision, string expected)
    {
        var proxy = await ProxyUnderTest.StartAsync(new JsonObject { ["next"] = ProxyUnderTest.TestServer(revision: serverRevision) });
        // A 2026-07-28-only server refuses the first attempt, which offers 2025-11-25; the next one speaks its revision.
        for (var attempt = 0; attempt < 300; attempt++)
        {
            var server = (await proxy.Http.GetFromJsonAsync<JsonElement>("/servers", Cancellation)).EnumerateArray().Single();
            if (server.GetProperty("status").GetString() == "healthy")
            {
                Assert.Equal(expected, server.GetProperty("protocolVersion").GetString());
                return proxy;
            }
            await Task.Delay(100, Cancellation);
        }
        await proxy.DisposeAsync();
        throw new TimeoutException($"the {expected} server did not connect");
    }

    static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(t => t.Text));

    [Theory]
    [InlineData(null, "2025-11-25")]
    [InlineData("2026-07-28", "2026-07-28")]
    public async Task A_server_s_sampling_and_roots_requests_reach_clients_of_both_eras_its_log_messages_a_client_that_set_a_level_and_its_tool_changes_the_catalog(
        string? serverRevision, string expected)
    {
        await using var proxy = await StartAsync(serverRevision, expected);

        foreach (var revision in new[] { "2025-11-25", "2026-07-28" })
        {
            var options = new McpClientOptions
            {
                ProtocolVersion = revision,
                Handlers = new McpClientHandlers
                {
                    SamplingHandler = (_, _, _) => ValueTask.FromResult(new CreateMessageResult
                    {
                        Model = "test-model", Role = Role.Assistant, Content = [new TextContentBlock { Text = $"answer of a {revision} client" }],
                    }),
                    RootsHandler = (_, _) => ValueTask.FromResult(new ListRootsResult { Roots = [new Root { Uri = $"file:///work/{revision}" }] }),
                },
            };
            await using var client = await proxy.ConnectAsync(Cancellation, options: options);
            var sampled = await client.CallToolAsync("next.sample", new Dictionary<string, object?> { ["prompt"] = "hello" }, cancellationToken: Cancellation);
            Assert.Equal($"the client answered: answer of a {revision} client", Text(sampled));
            var roots = await client.CallToolAsync("next.roots", cancellationToken: Cancellation);
            Assert.Equal($"file:///work/{revision}", Text(roots));
        }

        var heard = new List<LoggingMessageNotificationParams>();
        var listening = new McpClientOptions
        {
            ProtocolVersion = "2025-11-25",
            Handlers = new McpClientHandlers
            {
                NotificationHandlers =
                [
                    new(NotificationMethods.LoggingMessageNotification, (notification, _) =>
                    {
                        lock (heard)
                            heard.Add(JsonSerializer.Deserialize<LoggingMessageNotificationParams>(notification.Params)!);
                        return ValueTask.CompletedTask;
                    }),
                ],
            },
        };
        await using var listener = await proxy.ConnectAsync(Cancellation, options: listening);
        await listener.SetLoggingLevelAsync(LoggingLevel.Warning, cancellationToken: Cancellation);
        foreach (var (message, level) in new[] { ("too quiet", "debug"), ("loud enough", "error") })
            await listener.CallToolAsync("next.log", new Dictionary<string, object?> { ["message"] = message, ["level"] = level }, cancellationToken: Cancellation);

        for (var attempt = 0; attempt < 100 && !heard.Any(m => m.Data.ToString() == "loud enough"); attempt++)
            await Task.Delay(100, Cancellation);
        lock (heard)
        {
            var loud = Assert.Single(heard, m => m.Data.ToString() == "loud enough");
            Assert.Equal("next/test-tool", loud.Logger);
            Assert.DoesNotContain(heard, m => m.Data.ToString() == "too quiet");
        }

        // Its tools/list_changed comes on the proxy's subscriptions/listen stream, and the catalog follows.
        await listener.CallToolAsync("next.add_tool", new Dictionary<string, object?> { ["name"] = "late_arrival" }, cancellationToken: Cancellation);
        for (var attempt = 0; attempt < 100 && !(await proxy.Http.GetStringAsync("/tools/next", Cancellation)).Contains("next.late_arrival"); attempt++)
            await Task.Delay(100, Cancellation);
        Assert.Contains("next.late_arrival", await proxy.Http.GetStringAsync("/tools/next", Cancellation));
    }

    [Fact]
    public async Task A_2026_server_s_questions_during_two_clients_calls_at_once_go_each_to_its_own_client()
    {
        await using var proxy = await StartAsync("2026-07-28", "2026-07-28");
        // Each client answers only once both are being asked: the two calls are in flight on the one shared server together.
        using var bothAsked = new Barrier(2);
        McpClientOptions Answering(string name) => new()
        {
            ProtocolVersion = "2025-11-25",
            Handlers = new McpClientHandlers
            {
                SamplingHandler = async (_, _, cancellationToken) =>
                {
                    await Task.Run(() => Assert.True(bothAsked.SignalAndWait(TimeSpan.FromSeconds(20), cancellationToken), "the calls did not overlap"),
                        cancellationToken);
                    return new CreateMessageResult { Model = "test-model", Role = Role.Assistant, Content = [new TextContentBlock { Text = name }] };
                },
            },
        };
        await using var a = await proxy.ConnectAsync(Cancellation, options: Answering("client a"));
        await using var b = await proxy.ConnectAsync(Cancellation, options: Answering("client b"));

        var results = await Task.WhenAll(
            a.CallToolAsync("next.sample", new Dictionary<string, object?> { ["prompt"] = "for a" }, cancellationToken: Cancellation).AsTask(),
            b.CallToolAsync("next.sample", new Dictionary<string, object?> { ["prompt"] = "for b" }, cancellationToken: Cancellation).AsTask());

        Assert.Equal(["the client answered: client a", "the client answered: client b"], results.Select(Text));
    }

    [Fact]
    public async Task A_2026_server_s_resource_updates_reach_subscribers_of_both_eras_under_the_merged_uri()
    {
        await using var proxy = await StartAsync("2026-07-28", "2026-07-28");
        const string uri = "mcp-orch://next/test://note";

        // A 2025 client subscribes with resources/subscribe, a 2026 one on its listen stream; upstream, both ride the
        // proxy's own listen stream.
        var updates = Channel.CreateUnbounded<string>();
        await using var subscriber = await proxy.ConnectAsync(Cancellation, options: new() { ProtocolVersion = "2025-11-25" });
        await using var subscription = await subscriber.SubscribeToResourceAsync(uri, (updated, _) =>
        {
            updates.Writer.TryWrite(updated.Uri);
            return ValueTask.CompletedTask;
        }, cancellationToken: Cancellation);
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        var heard = await Wire2026.ListenAsync(proxy.Http, "/mcp", new JsonObject { ["resourceSubscriptions"] = new JsonArray(uri) }, closing.Token);
        await Wire2026.NextAsync(heard, "notifications/subscriptions/acknowledged", Cancellation);

        // The proxy reopens its listen stream with the resource: touch until the server has it.
        for (var attempt = 0; attempt < 100 && Text(await subscriber.CallToolAsync("next.touch", new Dictionary<string, object?> { ["uri"] = "test://note" },
            cancellationToken: Cancellation)) == "told 0 stream(s)"; attempt++)
            await Task.Delay(100, Cancellation);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        Assert.Equal(uri, await updates.Reader.ReadAsync(timeout.Token));
        var updated = await Wire2026.NextAsync(heard, NotificationMethods.ResourceUpdatedNotification, Cancellation);
        Assert.Equal(uri, updated["params"]!["uri"]!.GetValue<string>());
        await closing.CancelAsync();
    }
}
