using McpOrch.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpOrch.IntegrationTests;

public sealed class McpServersFixtureTests(McpServersFixture servers)
{
    [Fact(Timeout = 120_000)]
    public async Task Server_everything_lists_its_tools_and_echoes_over_stdio()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var transport = new StdioClientTransport(servers.Everything().ToStdioTransportOptions("everything"));
        // Default options on purpose: SDK 2.3.1 falls back from its 2026-07-28 probe on its own and
        // negotiates 2025-11-25 with this server, so McpClientOptions.ProtocolVersion needs no pin.
        await using var client = await McpClient.CreateAsync(transport, cancellationToken: cancellationToken);

        var tools = await client.ListToolsAsync(cancellationToken: cancellationToken);
        Assert.Contains(tools, tool => tool.Name == "echo");

        var result = await client.CallToolAsync("echo",
            new Dictionary<string, object?> { ["message"] = "hello over stdio" }, cancellationToken: cancellationToken);
        Assert.NotEqual(true, result.IsError);
        var text = Assert.IsType<TextContentBlock>(Assert.Single(result.Content));
        Assert.Equal("Echo: hello over stdio", text.Text);
    }
}
