using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpOrch.Testing;
using ModelContextProtocol.Client;

namespace Proxy.Api.Tests;

/// <summary>Upstreams reached over the network: server-everything in its Streamable HTTP and legacy SSE modes.</summary>
public sealed class RemoteUpstreamTests(ProxyFixture fixture)
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>An mcp-config.json entry for the server behind <paramref name="forwarder"/>, with a credential of its own.</summary>
    static JsonObject RecordedEntry(RecordingForwarder forwarder) => new()
    {
        ["url"] = $"http://127.0.0.1:{forwarder.Port}/mcp",
        ["headers"] = new JsonObject { ["X-Upstream-Token"] = "configured-upstream-credential" },
    };

    Task<RemoteEverything> StartEverythingAsync(string mode) => RemoteEverything.StartAsync(fixture.Servers, mode, Cancellation);

    [Theory]
    [InlineData("streamableHttp", "http", "/mcp", "streamable-http")]
    [InlineData("streamableHttp", null, "/mcp", "http (auto-detected)")]
    [InlineData("sse", "sse", "/sse", "sse")]
    public async Task A_remote_server_is_proxied_like_a_local_one(string mode, string? type, string path, string transport)
    {
        await using var server = await StartEverythingAsync(mode);
        var port = server.Port;
        var entry = new JsonObject { ["url"] = $"http://127.0.0.1:{port}{path}", ["headers"] = new JsonObject { ["X-Token"] = "remote-secret" } };
        if (type is not null)
            entry["type"] = type;
        await using var proxy = await ProxyUnderTest.StartAsync(new JsonObject { ["remote"] = entry });

        using var response = await proxy.Http.PostAsync("/tools/remote.echo", JsonContent.Create(new { message = $"over {mode}" }), Cancellation);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        var servers = await proxy.Http.GetFromJsonAsync<JsonElement[]>("/servers", Cancellation);

        Assert.Equal($"Echo: over {mode}", result.GetProperty("content")[0].GetProperty("text").GetString());
        var status = Assert.Single(servers!);
        Assert.Equal("healthy", status.GetProperty("status").GetString());
        Assert.Equal(transport, status.GetProperty("transport").GetString());
        Assert.Equal($"http://127.0.0.1:{port}{path}", status.GetProperty("url").GetString());
        Assert.Equal("***", status.GetProperty("headers").GetProperty("X-Token").GetString());
    }

    [Fact]
    public async Task A_remote_server_gets_its_configured_credentials_and_never_the_client_s()
    {
        await using var server = await StartEverythingAsync("streamableHttp");
        await using var forwarder = new RecordingForwarder(server.Port);
        var entry = RecordedEntry(forwarder);
        await using var proxy = await ProxyUnderTest.StartAsync(new JsonObject { ["remote"] = entry });
        using var http = new HttpClient { BaseAddress = proxy.Process.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", ProxyUnderTest.ProxySecret);
        using var response = await http.PostAsync("/tools/remote.echo", JsonContent.Create(new { message = "rest" }), Cancellation);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        await using (var client = await proxy.ConnectAsync(Cancellation))
            await client.CallToolAsync("remote.echo", new Dictionary<string, object?> { ["message"] = "mcp" }, cancellationToken: Cancellation);

        var sent = forwarder.Sent;
        Assert.Contains("X-Upstream-Token: configured-upstream-credential", sent);
        Assert.Contains("\"message\":\"mcp\"", sent);
        Assert.DoesNotContain(ProxyUnderTest.ProxySecret, sent);
        Assert.DoesNotContain("Authorization", sent, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_remote_server_is_reached_byte_for_byte_at_servers_name_mcp_with_its_own_credentials()
    {
        await using var server = await StartEverythingAsync("streamableHttp");
        await using var forwarder = new RecordingForwarder(server.Port);
        var entry = RecordedEntry(forwarder);
        await using var proxy = await ProxyUnderTest.StartAsync(new JsonObject { ["remote"] = entry, ["local"] = ProxyUnderTest.TestServer() });
        await using var client = await proxy.ConnectAsync(Cancellation, "/servers/remote/mcp", new() { ProtocolVersion = "2025-11-25" });

        // The server's own names and its own session: nothing of the proxy's in between.
        var tools = await client.ListToolsAsync(cancellationToken: Cancellation);
        Assert.Contains(tools, t => t.Name == "echo");
        var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "passed through" }, cancellationToken: Cancellation);
        Assert.Contains("passed through", JsonSerializer.Serialize(echo.Content));
        Assert.False(string.IsNullOrEmpty(client.SessionId));
        var sent = forwarder.Sent;
        Assert.Contains($"mcp-session-id: {client.SessionId}", sent, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("X-Upstream-Token: configured-upstream-credential", sent);
        Assert.DoesNotContain(ProxyUnderTest.ProxySecret, sent);

        // Its tool call is in the audit log, arguments redacted, with the outcome HTTP gave.
        JsonElement[] audited = [];
        for (var attempt = 0; attempt < 50 && audited.Length == 0; attempt++)
        {
            await Task.Delay(100, Cancellation);
            audited = [.. (await proxy.Http.GetFromJsonAsync<JsonElement>("/admin/audit?source=passthrough", Cancellation)).GetProperty("items").EnumerateArray()];
        }
        var record = Assert.Single(audited);
        Assert.Equal(("remote", "echo", "forwarded", """{"message":"***"}"""), (record.GetProperty("server").GetString(), record.GetProperty("tool").GetString(),
            record.GetProperty("outcome").GetString(), record.GetProperty("arguments").GetString()));

        // A stdio server has no such route, an unknown name neither, and a stranger gets nothing.
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await proxy.Http.PostAsync("/servers/local/mcp", new StringContent("{}"), Cancellation)).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await proxy.Http.PostAsync("/servers/nope/mcp", new StringContent("{}"), Cancellation)).StatusCode);
        using var stranger = new HttpClient { BaseAddress = proxy.Process.BaseAddress };
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await stranger.PostAsync("/servers/remote/mcp", new StringContent("{}"), Cancellation)).StatusCode);
    }

    [Fact]
    public async Task A_remote_SSE_server_is_reached_at_servers_name_mcp_with_its_message_path_pointed_at_the_route_which_follows_reloads()
    {
        await using var server = await StartEverythingAsync("sse");
        var entry = new JsonObject { ["url"] = $"http://127.0.0.1:{server.Port}/sse", ["type"] = "sse" };
        await using var proxy = await ProxyUnderTest.StartAsync(new JsonObject { ["old"] = entry });
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(proxy.Process.BaseAddress, "/servers/old/mcp"),
            TransportMode = HttpTransportMode.Sse,
            AdditionalHeaders = TestCredentials.Headers(ProxyUnderTest.ProxySecret),
        }), cancellationToken: Cancellation);

        var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "over the old transport" }, cancellationToken: Cancellation);
        Assert.Contains("over the old transport", JsonSerializer.Serialize(echo.Content));

        // The announced message path is the only other path of the server's host the route reaches.
        using var other = await proxy.Http.PostAsync("/servers/old/mcp/sse", new StringContent("{}"), Cancellation);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, other.StatusCode);
        Assert.Contains("is not a path of MCP server 'old'", await other.Content.ReadAsStringAsync(Cancellation));

        // The routes follow a reload: the server renamed is reached under its new name only.
        await proxy.WriteServersAsync(new JsonObject { ["renamed"] = entry.DeepClone() });
        (await proxy.Http.PostAsync("/servers/reload", null, Cancellation)).EnsureSuccessStatusCode();
        await using var renamed = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(proxy.Process.BaseAddress, "/servers/renamed/mcp"),
            TransportMode = HttpTransportMode.Sse,
            AdditionalHeaders = TestCredentials.Headers(ProxyUnderTest.ProxySecret),
        }), cancellationToken: Cancellation);
        Assert.Contains(await renamed.ListToolsAsync(cancellationToken: Cancellation), t => t.Name == "echo");
        using var gone = await proxy.Http.GetAsync("/servers/old/mcp", Cancellation);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Over_stdio_mcp_orch_bridges_a_client_to_its_one_remote_server_under_the_server_s_own_names()
    {
        await using var server = await StartEverythingAsync("streamableHttp");
        var port = server.Port;
        using var folder = ScratchDirectory.Create("bridge");
        var config = folder.Combine("mcp-config.json");
        await File.WriteAllTextAsync(config, new JsonObject
        {
            ["mcpServers"] = new JsonObject { ["remote"] = new JsonObject { ["url"] = $"http://127.0.0.1:{port}/mcp" } },
        }.ToJsonString(), Cancellation);
        await using var client = await ModelContextProtocol.Client.McpClient.CreateAsync(new ModelContextProtocol.Client.StdioClientTransport(new()
        {
            Name = "bridge",
            Command = "dotnet",
            Arguments = [BuildOutput.McpOrch, "--transport", "stdio", "--config", config],
            WorkingDirectory = folder.Path,
            EnvironmentVariables = new Dictionary<string, string?> { ["MCP_ORCH_DATA_DIR"] = folder.Combine("data") },
        }), cancellationToken: Cancellation);

        var tools = await client.ListToolsAsync(cancellationToken: Cancellation);
        Assert.Contains(tools, t => t.Name == "echo");
        Assert.DoesNotContain(tools, t => t.Name.StartsWith("remote.", StringComparison.Ordinal));
        var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "bridged" }, cancellationToken: Cancellation);
        Assert.Contains("bridged", JsonSerializer.Serialize(echo.Content));
    }
}
