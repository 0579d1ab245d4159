using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Proxy.Api.Tests;

/// <summary>
/// Everything MCP carries besides tools, through the proxy and server-everything: resources, templates, prompts,
/// completion, progress, logging, subscriptions, and the server's requests to the client (sampling, elicitation) —
/// merged on <c>/mcp</c>, unchanged on <c>/mcp/{server}</c>, and never crossing between two clients.
/// </summary>
public sealed class ProtocolPassthroughTests(ProxyFixture fixture)
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>A 2025-11-25 client (sessions, server requests) that answers sampling and elicitation, and records what it hears.</summary>
    sealed class Client
    {
        public List<string> Sampled { get; } = [];
        public List<JsonNode> Notifications { get; } = [];

        public McpClientOptions Options(bool answersServerRequests = true, string protocolVersion = "2025-11-25") => new()
        {
            ProtocolVersion = protocolVersion,
            Handlers = new McpClientHandlers
            {
                SamplingHandler = !answersServerRequests ? null : (request, _, _) =>
                {
                    lock (Sampled)
                        Sampled.Add(request!.Messages.OfType<SamplingMessage>().Select(m => (m.Content.OfType<TextContentBlock>().FirstOrDefault())?.Text).FirstOrDefault() ?? "");
                    return ValueTask.FromResult(new CreateMessageResult { Model = "test-model", Role = Role.Assistant, Content = [new TextContentBlock { Text = "sampled by the client" }] });
                },
                ElicitationHandler = !answersServerRequests ? null : (_, _) =>
                    ValueTask.FromResult(new ElicitResult { Action = "accept", Content = new Dictionary<string, JsonElement>() }),
                NotificationHandlers =
                [
                    new(NotificationMethods.LoggingMessageNotification, Record),
                    new(NotificationMethods.ResourceUpdatedNotification, Record),
                ],
            },
        };

        ValueTask Record(JsonRpcNotification notification, CancellationToken cancellationToken)
        {
            lock (Notifications)
                Notifications.Add(new JsonObject { ["method"] = notification.Method, ["params"] = notification.Params?.DeepClone() });
            return ValueTask.CompletedTask;
        }

        public async Task<List<JsonNode>> WaitForAsync(string method, Func<JsonNode, bool> match, int count = 1)
        {
            for (var attempt = 0; attempt < 200; attempt++)
            {
                lock (Notifications)
                {
                    var found = Notifications.Where(n => n["method"]!.GetValue<string>() == method && match(n["params"]!)).ToList();
                    if (found.Count >= count)
                        return found;
                }
                await Task.Delay(100, Cancellation);
            }
            lock (Notifications)
                Assert.Fail($"no {method} arrived; got: {string.Join(", ", Notifications.Select(n => n.ToJsonString()))}");
            return [];
        }
    }

    static string Text(CallToolResult result) => string.Join("\n", result.Content.OfType<TextContentBlock>().Select(t => t.Text));

    [Fact]
    public async Task Resources_are_merged_on_mcp_under_names_that_cannot_collide_and_pass_unchanged_on_the_server_endpoint()
    {
        await using var merged = await fixture.Proxy.ConnectAsync(Cancellation);
        await using var single = await fixture.Proxy.ConnectAsync(Cancellation, "/mcp/everything");

        var original = await single.ListResourcesAsync(cancellationToken: Cancellation);
        var exposed = await merged.ListResourcesAsync(cancellationToken: Cancellation);
        Assert.NotEmpty(original);
        var everything = exposed.Where(r => r.Uri.StartsWith("mcp-orch://everything/", StringComparison.Ordinal)).ToList();
        Assert.Equal(original.Select(r => $"mcp-orch://everything/{r.Uri}"), everything.Select(r => r.Uri));
        Assert.Equal(original.Select(r => r.Name), everything.Select(r => r.Name));
        // The next server's resources follow on the proxy's own cursor.
        Assert.Contains(exposed, r => r.Uri == "mcp-orch://memory/memory://knowledge-graph");

        var templates = await merged.ListResourceTemplatesAsync(cancellationToken: Cancellation);
        Assert.Contains(templates, t => t.UriTemplate == "mcp-orch://everything/demo://resource/dynamic/text/{resourceId}");

        var read = await merged.ReadResourceAsync("mcp-orch://everything/demo://resource/dynamic/text/1", cancellationToken: Cancellation);
        var content = Assert.IsType<TextResourceContents>(Assert.Single(read.Contents));
        Assert.Equal("mcp-orch://everything/demo://resource/dynamic/text/1", content.Uri);
        var direct = Assert.IsType<TextResourceContents>(Assert.Single(
            (await single.ReadResourceAsync("demo://resource/dynamic/text/1", cancellationToken: Cancellation)).Contents));
        Assert.Equal("demo://resource/dynamic/text/1", direct.Uri);
        // The text says when it was made, to the second: two reads may straddle one.
        static string Untimed(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\d{1,2}:\d{2}:\d{2}( [AP]M)?", "<time>");
        Assert.Equal(Untimed(direct.Text), Untimed(content.Text));

        // Resource links inside tool results name resources the way the endpoint does.
        var links = await merged.CallToolAsync("everything.get-resource-links", new Dictionary<string, object?> { ["count"] = 2 }, cancellationToken: Cancellation);
        Assert.All(links.Content.OfType<ResourceLinkBlock>(), link => Assert.StartsWith("mcp-orch://everything/", link.Uri));
        Assert.NotEmpty(links.Content.OfType<ResourceLinkBlock>());

        var unknown = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await merged.ReadResourceAsync("demo://resource/dynamic/text/1", cancellationToken: Cancellation));
        Assert.Contains("its resources are named mcp-orch://<server>/<uri>", unknown.Message);
    }

    [Fact]
    public async Task Prompts_are_named_like_tools_on_mcp_and_completion_reaches_their_server()
    {
        await using var merged = await fixture.Proxy.ConnectAsync(Cancellation);
        await using var single = await fixture.Proxy.ConnectAsync(Cancellation, "/mcp/everything");

        var names = (await merged.ListPromptsAsync(cancellationToken: Cancellation)).Select(p => p.Name).ToList();
        Assert.Equal((await single.ListPromptsAsync(cancellationToken: Cancellation)).Select(p => $"everything.{p.Name}"), names);

        var prompt = await merged.GetPromptAsync("everything.args-prompt", new Dictionary<string, object?> { ["city"] = "Oslo" }, cancellationToken: Cancellation);
        Assert.Contains("Oslo", Assert.IsType<TextContentBlock>(prompt.Messages[0].Content).Text);

        var merged_ = await merged.CompleteAsync(new PromptReference { Name = "everything.completable-prompt" }, "department", "E", cancellationToken: Cancellation);
        var direct = await single.CompleteAsync(new PromptReference { Name = "completable-prompt" }, "department", "E", cancellationToken: Cancellation);
        Assert.NotEmpty(direct.Completion.Values);
        Assert.Equal(direct.Completion.Values, merged_.Completion.Values);
    }

    [Theory]
    [InlineData("2025-11-25")]
    [InlineData("2026-07-28")]
    public async Task Progress_reaches_the_client_that_asked_for_it_and_no_other(string protocolVersion)
    {
        var first = new List<ProgressNotificationValue>();
        var second = new List<ProgressNotificationValue>();
        await using var a = await fixture.Proxy.ConnectAsync(Cancellation, options: new() { ProtocolVersion = protocolVersion });
        await using var b = await fixture.Proxy.ConnectAsync(Cancellation, options: new() { ProtocolVersion = protocolVersion });

        var arguments = new Dictionary<string, object?> { ["duration"] = 1, ["steps"] = 4 };
        await Task.WhenAll(
            a.CallToolAsync("everything.trigger-long-running-operation", arguments, new Progress<ProgressNotificationValue>(v => { lock (first) first.Add(v); }), cancellationToken: Cancellation).AsTask(),
            b.CallToolAsync("everything.trigger-long-running-operation", arguments, new Progress<ProgressNotificationValue>(v => { lock (second) second.Add(v); }), cancellationToken: Cancellation).AsTask());
        await Task.Delay(500, Cancellation);

        // Each saw its own operation's steps once: 1..n of 4, never the other's on top.
        foreach (var seen in new[] { first, second })
            lock (seen)
            {
                Assert.InRange(seen.Count, 2, 4);
                Assert.Equal(seen.Select(v => v.Progress).Distinct().Count(), seen.Count);
                Assert.All(seen, v => Assert.Equal(4, v.Total));
            }
    }

    [Theory]
    [InlineData("2025-11-25")]
    [InlineData("2026-07-28")]
    public async Task The_server_s_sampling_and_elicitation_requests_reach_the_client_of_the_call(string protocolVersion)
    {
        var client = new Client();
        await using var session = await fixture.Proxy.ConnectAsync(Cancellation, options: client.Options(protocolVersion: protocolVersion));

        var sampled = await session.CallToolAsync("everything.trigger-sampling-request", new Dictionary<string, object?> { ["prompt"] = "what is MCP?" },
            cancellationToken: Cancellation);
        Assert.Contains("sampled by the client", Text(sampled));
        lock (client.Sampled)
            Assert.Contains(client.Sampled, text => text.Contains("what is MCP?", StringComparison.Ordinal));

        var elicited = await session.CallToolAsync("everything.trigger-elicitation-request", new Dictionary<string, object?>(), cancellationToken: Cancellation);
        Assert.Contains("accept", Text(elicited));

        // A client that cannot sample is not asked: the server hears that, and says so in its result.
        var unable = new Client();
        await using var plain = await fixture.Proxy.ConnectAsync(Cancellation, options: unable.Options(answersServerRequests: false, protocolVersion));
        var refused = await plain.CallToolAsync("everything.trigger-sampling-request", new Dictionary<string, object?> { ["prompt"] = "x" }, cancellationToken: Cancellation);
        Assert.DoesNotContain("sampled by the client", Text(refused));
        Assert.Empty(unable.Sampled);
    }

    static readonly JsonObject Sampling = new() { ["sampling"] = new JsonObject() };

    /// <summary>A 2026-07-28 client that can sample calls trigger-sampling-request, perhaps with the answers of a round.</summary>
    async Task<JsonNode> CallOnTheWireAsync(string key, string? state = null, JsonObject? answers = null)
    {
        using var http = Wire2026.Client(fixture.Proxy, key);
        var parameters = new JsonObject { ["name"] = "everything.trigger-sampling-request", ["arguments"] = new JsonObject { ["prompt"] = "what is MCP?" } };
        if (state is not null)
            parameters["requestState"] = state;
        if (answers is not null)
            parameters["inputResponses"] = answers.DeepClone();
        return await Wire2026.SendAsync(http, Wire2026.Request("/mcp", "tools/call", parameters, (JsonObject)Sampling.DeepClone()), Cancellation);
    }

    /// <summary>
    /// The same on the wire: a 2026-07-28 client has no session to take the server's request on, so the proxy answers
    /// <c>input_required</c>, keeps the call waiting upstream, and finishes it when the client retries with its answer.
    /// </summary>
    [Fact]
    public async Task For_a_2026_client_the_server_s_sampling_request_becomes_an_input_required_result_and_the_call_waits_for_the_answer()
    {
        var asked = (await CallOnTheWireAsync(ProxyUnderTest.ProxySecret))["result"]!;
        Assert.Equal("input_required", asked["resultType"]!.GetValue<string>());
        var (key, question) = Assert.Single(asked["inputRequests"]!.AsObject());
        Assert.Equal("sampling/createMessage", question!["method"]!.GetValue<string>());
        Assert.Contains("what is MCP?", question["params"]!["messages"]![0]!["content"]!["text"]!.GetValue<string>());
        var state = asked["requestState"]!.GetValue<string>();

        var answer = new JsonObject
        {
            [key] = new JsonObject { ["model"] = "test-model", ["role"] = "assistant", ["content"] = new JsonObject { ["type"] = "text", ["text"] = "answered on the retry" } },
        };
        // Another caller cannot answer for this one; the call goes on waiting for its own.
        var stolen = await CallOnTheWireAsync(ProxyFixture.Keys.Limited, state, answer);
        Assert.Contains("not waiting for input here", stolen["error"]!["message"]!.GetValue<string>());

        // A retry without the answer is asked the same question again.
        var again = (await CallOnTheWireAsync(ProxyUnderTest.ProxySecret, state))["result"]!;
        Assert.Equal("input_required", again["resultType"]!.GetValue<string>());
        Assert.Equal([key], again["inputRequests"]!.AsObject().Select(p => p.Key));

        var done = (await CallOnTheWireAsync(ProxyUnderTest.ProxySecret, state, answer))["result"]!;
        Assert.Equal("complete", done["resultType"]!.GetValue<string>());
        Assert.Contains("answered on the retry", done["content"]![0]!["text"]!.GetValue<string>());

        // The call is over: its state names nothing any more.
        var spent = await CallOnTheWireAsync(ProxyUnderTest.ProxySecret, state, answer);
        Assert.Contains("Send the request again without requestState", spent["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Log_messages_reach_sessions_that_set_a_level_marked_with_their_server()
    {
        var client = new Client();
        await using var session = await fixture.Proxy.ConnectAsync(Cancellation, options: client.Options());
        await session.SetLoggingLevelAsync(LoggingLevel.Debug, cancellationToken: Cancellation);
        await session.CallToolAsync("everything.toggle-simulated-logging", new Dictionary<string, object?>(), cancellationToken: Cancellation);
        try
        {
            var messages = await client.WaitForAsync(NotificationMethods.LoggingMessageNotification, _ => true);
            Assert.Equal("everything", messages[0]["params"]!["logger"]!.GetValue<string>().Split('/')[0]);
        }
        finally
        {
            await session.CallToolAsync("everything.toggle-simulated-logging", new Dictionary<string, object?>(), cancellationToken: Cancellation);
        }
    }

    [Fact]
    public async Task A_2026_client_hears_of_updates_to_its_resources_on_its_listen_stream_tagged_with_its_id()
    {
        const string uri = "mcp-orch://everything/demo://resource/dynamic/text/3";
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        var heard = await Wire2026.ListenAsync(fixture.Proxy.Http, "/mcp",
            new JsonObject { ["toolsListChanged"] = true, ["resourceSubscriptions"] = new JsonArray(uri, "mcp-orch://nowhere/x") }, closing.Token);

        // What is granted: the resource the proxy could subscribe, not the one of a server that does not exist.
        var granted = (await Wire2026.NextAsync(heard, "notifications/subscriptions/acknowledged", Cancellation))["params"]!;
        Assert.Equal([uri], granted["notifications"]!["resourceSubscriptions"]!.AsArray().Select(u => u!.GetValue<string>()));
        Assert.True(granted["notifications"]!["toolsListChanged"]!.GetValue<bool>());
        Assert.Equal(1, granted["_meta"]!["io.modelcontextprotocol/subscriptionId"]!.GetValue<int>());

        var toggle = JsonContent.Create(new { });
        (await fixture.Proxy.Http.PostAsync("/tools/everything.toggle-subscriber-updates", toggle, Cancellation)).EnsureSuccessStatusCode();
        try
        {
            var updated = (await Wire2026.NextAsync(heard, NotificationMethods.ResourceUpdatedNotification, Cancellation))["params"]!;
            Assert.Equal(uri, updated["uri"]!.GetValue<string>());
            Assert.Equal(1, updated["_meta"]!["io.modelcontextprotocol/subscriptionId"]!.GetValue<int>());
        }
        finally
        {
            (await fixture.Proxy.Http.PostAsync("/tools/everything.toggle-subscriber-updates", JsonContent.Create(new { }), Cancellation)).EnsureSuccessStatusCode();
            await closing.CancelAsync();
        }
    }

    [Fact]
    public async Task A_subscriber_hears_of_updates_to_its_resource_under_the_uri_it_subscribed_to()
    {
        var client = new Client();
        await using var session = await fixture.Proxy.ConnectAsync(Cancellation, options: client.Options());
        const string uri = "mcp-orch://everything/demo://resource/dynamic/text/2";
        await session.SubscribeToResourceAsync(uri, cancellationToken: Cancellation);
        await session.CallToolAsync("everything.toggle-subscriber-updates", new Dictionary<string, object?>(), cancellationToken: Cancellation);
        try
        {
            await client.WaitForAsync(NotificationMethods.ResourceUpdatedNotification, p => p["uri"]!.GetValue<string>() == uri);
        }
        finally
        {
            await session.CallToolAsync("everything.toggle-subscriber-updates", new Dictionary<string, object?>(), cancellationToken: Cancellation);
            await session.UnsubscribeFromResourceAsync(uri, cancellationToken: Cancellation);
        }
    }

    [Fact]
    public async Task A_client_of_the_old_SSE_transport_reaches_a_stdio_server_when_it_is_turned_on()
    {
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(fixture.Proxy.Process.BaseAddress, "/mcp/everything/sse"),
            TransportMode = HttpTransportMode.Sse,
            AdditionalHeaders = McpOrch.Testing.TestCredentials.Headers(ProxyUnderTest.ProxySecret),
        }), cancellationToken: Cancellation);

        Assert.Contains(await client.ListToolsAsync(cancellationToken: Cancellation), t => t.Name == "echo");
        var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "over old SSE" }, cancellationToken: Cancellation);
        Assert.Contains("over old SSE", Text(echo));
    }
}
