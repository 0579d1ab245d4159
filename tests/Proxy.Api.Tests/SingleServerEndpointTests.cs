using System.Net;
using ModelContextProtocol.Protocol;

namespace Proxy.Api.Tests;

public sealed class SingleServerEndpointTests(ProxyFixture fixture)
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_server_alone_has_its_tools_under_their_own_names()
    {
        await using var client = await fixture.Proxy.ConnectAsync(Cancellation, "/mcp/memory");

        var names = (await client.ListToolsAsync(cancellationToken: Cancellation)).Select(t => t.Name).ToList();
        var graph = await client.CallToolAsync("read_graph", cancellationToken: Cancellation);

        Assert.Contains("read_graph", names);
        Assert.Contains("create_entities", names);
        Assert.DoesNotContain(names, n => n.Contains('.', StringComparison.Ordinal));
        Assert.NotEqual(true, graph.IsError);
    }

    [Fact]
    public async Task Another_servers_tool_is_not_reachable_there()
    {
        await using var client = await fixture.Proxy.ConnectAsync(Cancellation, "/mcp/memory");

        // The call goes to server-memory as it is, and its answer comes back as it is: no such tool there.
        var result = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "x" }, cancellationToken: Cancellation);

        Assert.True(result.IsError);
        Assert.Contains("echo", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
    }

    [Fact]
    public async Task An_unknown_server_is_404()
    {
        using var response = await fixture.Proxy.Http.PostAsync("/mcp/nobody",
            new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", System.Text.Encoding.UTF8, "application/json"), Cancellation);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("No MCP server is named 'nobody'", await response.Content.ReadAsStringAsync(Cancellation));
    }
}
