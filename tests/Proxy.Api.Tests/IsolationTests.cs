using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Proxy.Api.Tests;

/// <summary>A stateful server with <c>"isolation": "session"</c>: one process per client session, stopped with the session.</summary>
public sealed class IsolationTests
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    static async Task<string> CallTextAsync(McpClient client, string tool, Dictionary<string, object?>? arguments = null) =>
        string.Concat((await client.CallToolAsync(tool, arguments, cancellationToken: Cancellation)).Content.OfType<TextContentBlock>().Select(t => t.Text));

    /// <summary>Calls stall_first, which counts the calls with its key in the server's process.</summary>
    static Task<string> CallAsync(McpClient client, string tool) => CallTextAsync(client, tool, new() { ["key"] = "k", ["times"] = 0 });

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
        Assert.Equal("I am ours", await CallTextAsync(a, "isolated.ours"));
        Assert.DoesNotContain(await b.ListToolsAsync(cancellationToken: Cancellation), t => t.Name == "isolated.ours");
        Assert.Contains(await b.ListToolsAsync(cancellationToken: Cancellation), t => t.Name == "isolated.stall_first");

        var withA = proxy.ChildProcessIds().Count;
        await a.DisposeAsync(); // Ends the session (DELETE): its process goes.
        for (var attempt = 0; attempt < 100 && proxy.ChildProcessIds().Count >= withA; attempt++)
            await Task.Delay(100, Cancellation);
        Assert.True(proxy.ChildProcessIds().Count < withA, "the session's process outlived the session");
        Assert.Equal("answered on call 2", await CallAsync(b, "isolated.stall_first"));
    }

    [Fact]
    public async Task An_isolated_server_is_told_what_its_session_s_client_can_do_and_a_shared_one_everything()
    {
        var isolated = ProxyUnderTest.TestServer();
        isolated["isolation"] = "session";
        await using var proxy = await ProxyUnderTest.StartAsync(new JsonObject { ["shared"] = ProxyUnderTest.TestServer(), ["isolated"] = isolated });
        await using var plain = await proxy.ConnectAsync(Cancellation, options: new() { ProtocolVersion = "2025-11-25" });
        await using var sampler = await proxy.ConnectAsync(Cancellation, options: new()
        {
            ProtocolVersion = "2025-11-25",
            Handlers = new McpClientHandlers
            {
                SamplingHandler = (_, _, _) => ValueTask.FromResult(new CreateMessageResult { Model = "m", Role = Role.Assistant, Content = [] }),
            },
        });

        async Task<ClientCapabilities> ToldAsync(McpClient client, string server) =>
            JsonSerializer.Deserialize<ClientCapabilities>(await CallTextAsync(client, $"{server}.client_capabilities"), McpJsonUtilities.DefaultOptions)!;

        var toldOfPlain = await ToldAsync(plain, "isolated");
        Assert.Null(toldOfPlain.Sampling);
        Assert.Null(toldOfPlain.Elicitation);
        Assert.Null(toldOfPlain.Roots);
        var toldOfSampler = await ToldAsync(sampler, "isolated");
        Assert.NotNull(toldOfSampler.Sampling);
        Assert.Null(toldOfSampler.Elicitation);
        // A shared server learns its client's capabilities once, for everyone: it is offered all three.
        var toldShared = await ToldAsync(plain, "shared");
        Assert.NotNull(toldShared.Sampling);
        Assert.NotNull(toldShared.Elicitation);
        Assert.NotNull(toldShared.Roots);
    }
}
