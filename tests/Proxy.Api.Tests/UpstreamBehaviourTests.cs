using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpOrch.Testing;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Proxy.Api.Tests;

/// <summary>What an upstream does on its own — change its tools, get cancelled — and how the proxy follows.</summary>
public sealed class UpstreamBehaviourTests
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task When_an_upstream_changes_its_tools_the_catalog_follows_and_sessions_are_told()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(new JsonObject { ["test"] = ProxyUnderTest.TestServer() });
        using var listChanged = new ListChangedListener();
        await using var client = await proxy.ConnectAsync(Cancellation, options: listChanged.Options);
        Assert.DoesNotContain(await client.ListToolsAsync(cancellationToken: Cancellation), t => t.Name == "test.late_arrival");
        // A 2026-07-28 client, which has no session, listens on a subscriptions/listen stream.
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        var heard = await Wire2026.ListenAsync(proxy.Http, "/mcp", new JsonObject { ["toolsListChanged"] = true }, closing.Token);
        await Wire2026.NextAsync(heard, "notifications/subscriptions/acknowledged", Cancellation);

        await client.CallToolAsync("test.add_tool", new Dictionary<string, object?> { ["name"] = "late_arrival" }, cancellationToken: Cancellation);

        await listChanged.WaitForToolAsync(client, "test.late_arrival", Cancellation);
        var changed = await Wire2026.NextAsync(heard, NotificationMethods.ToolListChangedNotification, Cancellation);
        Assert.Equal(1, changed["params"]!["_meta"]!["io.modelcontextprotocol/subscriptionId"]!.GetValue<int>());
        await closing.CancelAsync();
        var result = await client.CallToolAsync("test.late_arrival", cancellationToken: Cancellation);
        Assert.Equal("I am late_arrival", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
    }

    [Fact]
    public async Task A_timed_out_call_is_cancelled_upstream()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(new JsonObject { ["test"] = ProxyUnderTest.TestServer(timeoutSeconds: 1) });
        using var folder = ScratchDirectory.Create("cancel");
        var marker = folder.Combine("marker");

        using var response = await proxy.Http.PostAsync("/tools/test.wait", JsonContent.Create(new { seconds = 60, marker }), Cancellation);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("The call to 'wait' on MCP server 'test' timed out after 1 s and was cancelled.",
            (await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("detail").GetString());
        // The server hears notifications/cancelled and stops the work.
        await WaitForMarkerAsync(marker, "cancelled");
    }

    [Fact]
    public async Task A_client_that_gives_up_on_a_call_cancels_it_upstream()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(new JsonObject { ["test"] = ProxyUnderTest.TestServer() });
        using var folder = ScratchDirectory.Create("cancel");

        // A 2025-11-25 client sends notifications/cancelled (itself: SDK 2.3.1's client may lose the notification
        // when a cancelled HTTP request unwinds first).
        var marker = folder.Combine("by-notification");
        await using (var client = await proxy.ConnectAsync(Cancellation, options: new() { ProtocolVersion = "2025-11-25" }))
        {
            using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
            var id = new RequestId("call-to-give-up-on");
            var parameters = new CallToolRequestParams { Name = "test.wait", Arguments = new Dictionary<string, JsonElement>
            {
                ["seconds"] = JsonSerializer.SerializeToElement(60), ["marker"] = JsonSerializer.SerializeToElement(marker),
            } };
            var call = client.SendRequestAsync(new JsonRpcRequest
            {
                Id = id, Method = RequestMethods.ToolsCall, Params = JsonSerializer.SerializeToNode(parameters, McpJsonUtilities.DefaultOptions),
            }, giveUp.Token);
            await WaitForMarkerAsync(marker, "waiting");
            await client.SendNotificationAsync(NotificationMethods.CancelledNotification, new CancelledNotificationParams { RequestId = id },
                cancellationToken: Cancellation);
            await WaitForMarkerAsync(marker, "cancelled");
            await giveUp.CancelAsync(); // The server does not answer a cancelled request.
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await call);
        }

        // A 2026-07-28 client closes the request's stream.
        marker = folder.Combine("by-closed-stream");
        using (var closing = CancellationTokenSource.CreateLinkedTokenSource(Cancellation))
        {
            var parameters = new JsonObject { ["name"] = "test.wait", ["arguments"] = new JsonObject { ["seconds"] = 60, ["marker"] = marker } };
            var call = Wire2026.SendAsync(proxy.Http, Wire2026.Request("/mcp", "tools/call", parameters), closing.Token);
            await WaitForMarkerAsync(marker, "waiting");
            await closing.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await call);
            await WaitForMarkerAsync(marker, "cancelled");
        }
    }

    static async Task WaitForMarkerAsync(string marker, string content)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (!File.Exists(marker) || await File.ReadAllTextAsync(marker, timeout.Token) != content)
            await Task.Delay(100, timeout.Token);
    }
}
