using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpOrch.Testing;
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

        await client.CallToolAsync("test.add_tool", new Dictionary<string, object?> { ["name"] = "late_arrival" }, cancellationToken: Cancellation);

        await listChanged.WaitForToolAsync(client, "test.late_arrival", Cancellation);
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
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (!File.Exists(marker))
            await Task.Delay(100, timeout.Token);
        Assert.Equal("cancelled", await File.ReadAllTextAsync(marker, Cancellation));
    }
}
