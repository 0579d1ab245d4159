using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Proxy.Api.Tests;

/// <summary>A stateful server with <c>"isolation": "session"</c>: one process per client session, stopped with the session.</summary>
public sealed class IsolationTests
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    static async Task<string> CallAsync(McpClient client, string tool) =>
        string.Concat((await client.CallToolAsync(tool, new Dictionary<string, object?> { ["key"] = "k", ["times"] = 0 }, cancellationToken: Cancellation))
            .Content.OfType<TextContentBlock>().Select(t => t.Text));

    [Fact]
    public async Task Each_session_has_its_own_process_of_an_isolated_server_and_it_stops_with_the_session()
    {
        var isolated = ProxyUnderTest.TestServer();
        isolated["isolation"] = "session";
        await using var proxy = await ProxyUnderTest.StartAsync(new JsonObject { ["shared"] = ProxyUnderTest.TestServer(), ["isolated"] = isolated });
        var before = proxy.ChildProcessIds().Count;

        using var listChanged = new ListChangedListener();
        var a = await proxy.ConnectAsync(Cancellation, options: listChanged.Options);
        await using var b = await proxy.ConnectAsync(Cancellation, options: new() { ProtocolVersion = "2025-11-25" });

        // The test server counts calls per key in its process: a shared one counts everybody's, an isolated one each session's.
        Assert.Equal("answered on call 1", await CallAsync(a, "shared.stall_first"));
        Assert.Equal("answered on call 2", await CallAsync(b, "shared.stall_first"));
        Assert.Equal("answered on call 1", await CallAsync(a, "isolated.stall_first"));
        Assert.Equal("answered on call 2", await CallAsync(a, "isolated.stall_first"));
        Assert.Equal("answered on call 1", await CallAsync(b, "isolated.stall_first"));
        Assert.True(proxy.ChildProcessIds().Count >= before + 2, "no process of its own for each session");

        // REST has no session: it uses the shared connection of the isolated server (the catalog's).
        var rest = await proxy.Http.PostAsync("/tools/isolated.stall_first", System.Net.Http.Json.JsonContent.Create(new { key = "k", times = 0 }), Cancellation);
        Assert.Contains("answered on call 1", await rest.Content.ReadAsStringAsync(Cancellation));

        // On the server's own endpoint a session lists its own process's tools: one it added, the other session does not see.
        await using (var own = await proxy.ConnectAsync(Cancellation, "/mcp/isolated", new() { ProtocolVersion = "2025-11-25" }))
        await using (var other = await proxy.ConnectAsync(Cancellation, "/mcp/isolated", new() { ProtocolVersion = "2025-11-25" }))
        {
            await own.CallToolAsync("add_tool", new Dictionary<string, object?> { ["name"] = "mine" }, cancellationToken: Cancellation);
            for (var attempt = 0; attempt < 50 && !(await own.ListToolsAsync(cancellationToken: Cancellation)).Any(t => t.Name == "mine"); attempt++)
                await Task.Delay(100, Cancellation);
            Assert.Contains(await own.ListToolsAsync(cancellationToken: Cancellation), t => t.Name == "mine");
            Assert.DoesNotContain(await other.ListToolsAsync(cancellationToken: Cancellation), t => t.Name == "mine");
        }

        // So does it on the merged /mcp, under the merged name, told by tools/list_changed, and it can call it there.
        await a.CallToolAsync("isolated.add_tool", new Dictionary<string, object?> { ["name"] = "ours" }, cancellationToken: Cancellation);
        await listChanged.WaitForToolAsync(a, "isolated.ours", Cancellation);
        Assert.Equal("I am ours", string.Concat((await a.CallToolAsync("isolated.ours", cancellationToken: Cancellation)).Content.OfType<TextContentBlock>().Select(t => t.Text)));
        Assert.DoesNotContain(await b.ListToolsAsync(cancellationToken: Cancellation), t => t.Name == "isolated.ours");
        Assert.Contains(await b.ListToolsAsync(cancellationToken: Cancellation), t => t.Name == "isolated.stall_first");

        var withA = proxy.ChildProcessIds().Count;
        await a.DisposeAsync(); // Ends the session (DELETE): its process goes.
        for (var attempt = 0; attempt < 100 && proxy.ChildProcessIds().Count >= withA; attempt++)
            await Task.Delay(100, Cancellation);
        Assert.True(proxy.ChildProcessIds().Count < withA, "the session's process outlived the session");
        Assert.Equal("answered on call 2", await CallAsync(b, "isolated.stall_first"));
    }
}
