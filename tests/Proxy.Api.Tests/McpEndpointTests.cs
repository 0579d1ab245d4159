using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Proxy.Api.Tests;

public sealed class McpEndpointTests(ProxyFixture fixture)
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Tools_of_every_healthy_server_are_listed_under_namespaced_names()
    {
        await using var client = await fixture.Proxy.ConnectAsync(Cancellation);

        var names = (await client.ListToolsAsync(cancellationToken: Cancellation)).Select(t => t.Name).ToList();

        Assert.Contains("everything.echo", names);
        Assert.Contains("everything.get-sum", names);
        Assert.Contains("memory.create_entities", names);
        Assert.Contains("memory.read_graph", names);
        Assert.DoesNotContain(names, n => n.StartsWith("missing.", StringComparison.Ordinal) || n.StartsWith("crashing.", StringComparison.Ordinal));
        Assert.All(names, n => Assert.Matches("^[A-Za-z0-9_.-]{1,64}$", n));
    }

    [Fact]
    public async Task Definitions_pass_through_unchanged_but_for_the_name()
    {
        // The proxy tells servers it can pass on sampling, elicitation and roots (server-everything then offers the tools
        // that use them): the direct client says the same.
        var sameCapabilities = new McpClientOptions
        {
            Handlers = new McpClientHandlers
            {
                SamplingHandler = (_, _, _) => throw new NotSupportedException(),
                ElicitationHandler = (_, _) => throw new NotSupportedException(),
                RootsHandler = (_, _) => throw new NotSupportedException(),
            },
        };
        await using var direct = await McpClient.CreateAsync(
            new StdioClientTransport(fixture.Servers.Everything().ToStdioTransportOptions("direct")), sameCapabilities, cancellationToken: Cancellation);
        await using var proxied = await fixture.Proxy.ConnectAsync(Cancellation);

        var original = (await direct.ListToolsAsync(cancellationToken: Cancellation)).Select(t => t.ProtocolTool).ToDictionary(t => t.Name);
        var exposed = (await proxied.ListToolsAsync(cancellationToken: Cancellation)).Select(t => t.ProtocolTool)
            .Where(t => t.Name.StartsWith("everything.", StringComparison.Ordinal)).ToList();

        Assert.Equal(original.Count, exposed.Count);
        foreach (var tool in exposed)
        {
            var source = original[tool.Name["everything.".Length..]];
            Assert.Equal(source.Description, tool.Description);
            Assert.Equal(source.Title, tool.Title);
            Assert.Equal(source.InputSchema.GetRawText(), tool.InputSchema.GetRawText());
            Assert.Equal(source.OutputSchema?.GetRawText(), tool.OutputSchema?.GetRawText());
            Assert.Equal(JsonSerializer.Serialize(source.Annotations, McpJsonUtilities.DefaultOptions),
                JsonSerializer.Serialize(tool.Annotations, McpJsonUtilities.DefaultOptions));
        }
    }

    [Fact]
    public async Task A_call_is_routed_to_the_server_that_owns_the_tool()
    {
        await using var client = await fixture.Proxy.ConnectAsync(Cancellation);

        var echo = await client.CallToolAsync("everything.echo", new Dictionary<string, object?> { ["message"] = "through the proxy" },
            cancellationToken: Cancellation);
        var sum = await client.CallToolAsync("everything.get-sum", new Dictionary<string, object?> { ["a"] = 2, ["b"] = 40 },
            cancellationToken: Cancellation);

        Assert.Equal("Echo: through the proxy", Assert.IsType<TextContentBlock>(Assert.Single(echo.Content)).Text);
        Assert.Contains("42", Assert.IsType<TextContentBlock>(Assert.Single(sum.Content)).Text);
    }

    [Fact]
    public async Task Structured_content_passes_through()
    {
        await using var client = await fixture.Proxy.ConnectAsync(Cancellation);

        var result = await client.CallToolAsync("everything.get-structured-content",
            new Dictionary<string, object?> { ["location"] = "Chicago" }, cancellationToken: Cancellation);

        Assert.NotEqual(true, result.IsError);
        Assert.NotNull(result.StructuredContent);
        Assert.True(result.StructuredContent!.Value.TryGetProperty("temperature", out _));
    }

    [Fact]
    public async Task State_lives_in_the_upstream_server_across_calls()
    {
        await using var client = await fixture.Proxy.ConnectAsync(Cancellation);
        var entity = $"entity-{Guid.NewGuid():N}";

        await client.CallToolAsync("memory.create_entities", new Dictionary<string, object?>
        {
            ["entities"] = new[] { new { name = entity, entityType = "test", observations = new[] { "made through mcp-orch" } } },
        }, cancellationToken: Cancellation);
        var graph = await client.CallToolAsync("memory.open_nodes",
            new Dictionary<string, object?> { ["names"] = new[] { entity } }, cancellationToken: Cancellation);

        Assert.Contains("made through mcp-orch", Assert.IsType<TextContentBlock>(Assert.Single(graph.Content)).Text);
    }

    [Fact]
    public async Task An_unknown_tool_is_a_protocol_error_that_names_it()
    {
        await using var client = await fixture.Proxy.ConnectAsync(Cancellation);

        var error = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await client.CallToolAsync("everything.no_such_tool", cancellationToken: Cancellation));

        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
        Assert.Contains("Unknown tool 'everything.no_such_tool'", error.Message);
    }

    [Fact]
    public async Task A_stdio_server_gets_its_configured_environment_and_none_of_the_proxys_secrets()
    {
        await using var client = await fixture.Proxy.ConnectAsync(Cancellation);

        var result = await client.CallToolAsync("everything.get-env", cancellationToken: Cancellation);
        var environment = Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;

        Assert.Contains("configured-value", environment);
        Assert.Contains("PATH", environment);
        Assert.DoesNotContain(ProxyUnderTest.ProxySecret, environment);
        Assert.DoesNotContain("API_KEY", environment);
    }

    [Fact]
    public async Task The_filesystem_server_reads_and_writes_through_the_proxy()
    {
        await using var client = await fixture.Proxy.ConnectAsync(Cancellation);
        var written = Path.Combine(fixture.Files, $"{Guid.NewGuid():N}.txt");

        var read = await client.CallToolAsync("files.read_text_file",
            new Dictionary<string, object?> { ["path"] = Path.Combine(fixture.Files, "notes.txt") }, cancellationToken: Cancellation);
        await client.CallToolAsync("files.write_file",
            new Dictionary<string, object?> { ["path"] = written, ["content"] = "written through mcp-orch" }, cancellationToken: Cancellation);
        var outside = await client.CallToolAsync("files.read_text_file",
            new Dictionary<string, object?> { ["path"] = "/etc/hostname" }, cancellationToken: Cancellation);

        Assert.Equal("written before the proxy started", Assert.IsType<TextContentBlock>(Assert.Single(read.Content)).Text);
        Assert.Equal("written through mcp-orch", await File.ReadAllTextAsync(written, Cancellation));
        Assert.True(outside.IsError);
    }
}
