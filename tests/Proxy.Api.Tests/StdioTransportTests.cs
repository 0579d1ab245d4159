using System.Text.Json.Nodes;
using McpOrch.Testing;
using Microsoft.Data.Sqlite;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Proxy.Api.Tests;

public sealed class StdioTransportTests(ProxyFixture fixture)
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_AI_client_can_start_mcp_orch_over_stdio_and_use_every_servers_tools()
    {
        using var folder = ScratchDirectory.Create("stdio");
        var config = folder.Combine("servers.json");
        await File.WriteAllTextAsync(config, new JsonObject
        {
            ["mcpServers"] = new JsonObject { ["everything"] = ProxyUnderTest.Stdio(fixture.Servers.Everything()) },
        }.ToJsonString(), Cancellation);
        var stderr = new List<string>();
        var entry = BuildOutput.McpOrch;

        // Exactly what a client configuration says: the command and its arguments, nothing else.
        using var listChanged = new ListChangedListener();
        await using var client = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "mcp-orch",
            Command = "dotnet",
            Arguments = [entry, "--transport", "stdio", "--config", config],
            WorkingDirectory = folder.Path,
            // Its database (the audit log) in the scratch folder, not the user's data folder.
            EnvironmentVariables = new Dictionary<string, string?> { ["MCP_ORCH_DATA_DIR"] = folder.Combine("data") },
            StandardErrorLines = line => { lock (stderr) stderr.Add(line); },
        }), listChanged.Options, cancellationToken: Cancellation);

        var tools = await client.ListToolsAsync(cancellationToken: Cancellation);
        var echo = await client.CallToolAsync("everything.echo", new Dictionary<string, object?> { ["message"] = "over stdio" },
            cancellationToken: Cancellation);

        Assert.Contains(tools, t => t.Name == "everything.echo");
        Assert.Equal("Echo: over stdio", Assert.IsType<TextContentBlock>(Assert.Single(echo.Content)).Text);
        // Logs went to stderr, where they cannot corrupt the protocol on stdout.
        lock (stderr)
            Assert.Contains(stderr, line => line.Contains("MCP servers configured", StringComparison.Ordinal));

        // Saving the configuration adds a server, and the client is told.
        await File.WriteAllTextAsync(config, new JsonObject
        {
            ["mcpServers"] = new JsonObject
            {
                ["everything"] = ProxyUnderTest.Stdio(fixture.Servers.Everything()),
                ["memory"] = ProxyUnderTest.Stdio(fixture.Servers.Memory(folder.Combine("memory.jsonl"))),
            },
        }.ToJsonString(), Cancellation);
        await listChanged.WaitForToolAsync(client, "memory.read_graph", Cancellation);
    }

    [Fact]
    public async Task A_2026_client_is_answered_at_once_while_the_database_is_busy()
    {
        using var folder = ScratchDirectory.Create("stdio-busy");
        var config = folder.Combine("servers.json");
        await File.WriteAllTextAsync(config, new JsonObject { ["mcpServers"] = new JsonObject { ["test"] = ProxyUnderTest.TestServer() } }.ToJsonString(),
            Cancellation);
        // Another process holds the database: the migration waits (as it may on a slow first start).
        Directory.CreateDirectory(folder.Combine("data"));
        await using var holder = new SqliteConnection($"Data Source={folder.Combine("data/mcp-orch.db")};Pooling=false");
        await holder.OpenAsync(Cancellation);
        await using (var exclusive = holder.CreateCommand())
        {
            exclusive.CommandText = "BEGIN EXCLUSIVE";
            await exclusive.ExecuteNonQueryAsync(Cancellation);
        }

        // The SDK's client probes with server/discover (for 5 s by default), then takes the server for one of the 2025
        // era. The probe is given 30 s here: what is tested is that the answer does not wait for the database (held for
        // the whole test, so without that it never comes); on a CI machine running three test assemblies on two cores,
        // starting the process alone took more than 5 s at times (0.45 s on an idle one, bench/startup.sh).
        await using var client = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "mcp-orch",
            Command = "dotnet",
            Arguments = [BuildOutput.McpOrch, "--config", config],
            WorkingDirectory = folder.Path,
            EnvironmentVariables = new Dictionary<string, string?> { ["MCP_ORCH_DATA_DIR"] = folder.Combine("data") },
        }), new McpClientOptions { ProtocolVersion = "2026-07-28", DiscoverProbeTimeout = TimeSpan.FromSeconds(30) }, cancellationToken: Cancellation);
        var tools = await client.ListToolsAsync(cancellationToken: Cancellation);

        Assert.Equal("2026-07-28", client.NegotiatedProtocolVersion);
        Assert.Contains(tools, t => t.Name == "test.sleep_echo");
        await holder.CloseAsync(); // The start then completes, and the client's close ends it.
    }

    [Theory]
    [InlineData("2025-11-25")]
    [InlineData("2026-07-28")]
    public async Task Over_stdio_a_server_s_sampling_request_reaches_the_client_of_either_era(string protocolVersion)
    {
        using var folder = ScratchDirectory.Create("stdio-sampling");
        var config = folder.Combine("servers.json");
        await File.WriteAllTextAsync(config, new JsonObject { ["mcpServers"] = new JsonObject { ["test"] = ProxyUnderTest.TestServer() } }.ToJsonString(),
            Cancellation);
        await using var client = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "mcp-orch",
            Command = "dotnet",
            Arguments = [BuildOutput.McpOrch, "--transport", "stdio", "--config", config],
            WorkingDirectory = folder.Path,
            EnvironmentVariables = new Dictionary<string, string?> { ["MCP_ORCH_DATA_DIR"] = folder.Combine("data") },
        }), new McpClientOptions
        {
            ProtocolVersion = protocolVersion,
            DiscoverProbeTimeout = TimeSpan.FromSeconds(30), // As above: the process's start, not the answer, is slow on a busy CI machine.
            Handlers = new McpClientHandlers
            {
                SamplingHandler = (_, _, _) => ValueTask.FromResult(new CreateMessageResult
                {
                    Model = "test-model", Role = Role.Assistant, Content = [new TextContentBlock { Text = "sampled over stdio" }],
                }),
            },
        }, cancellationToken: Cancellation);

        var result = await client.CallToolAsync("test.sample", new Dictionary<string, object?> { ["prompt"] = "hello" }, cancellationToken: Cancellation);
        Assert.Equal("the client answered: sampled over stdio", string.Concat(result.Content.OfType<TextContentBlock>().Select(t => t.Text)));
    }
}
