using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using McpOrch.LocalServers;
using McpOrch.Testing;

namespace Proxy.Api.Tests;

/// <summary>
/// <c>mcp-orch</c> started the way AI clients start it: the official TypeScript SDK client, the command and arguments
/// of the client configuration, nothing else — then ended the way those clients end it.
/// </summary>
public sealed class StdioClientTests(ProxyFixture fixture) : IDisposable
{
    readonly ScratchDirectory _folder = ScratchDirectory.Create("stdio-client");

    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    /// <summary>The spec's client configuration: <c>"command": "mcp-orch", "args": ["--mode", "proxy"]</c>, in a folder with mcp-config.json.</summary>
    static string[] SpecCommand(params string[] more) => ["dotnet", BuildOutput.McpOrch, "--mode", "proxy", .. more];

    async Task<TypeScriptStdioClient> StartAsync(string[] command, Dictionary<string, string>? environment = null, int calls = 1)
    {
        // server-everything, and a server that does not exit when its stdin closes.
        await File.WriteAllTextAsync(_folder.Combine("mcp-config.json"), new JsonObject
        {
            ["mcpServers"] = new JsonObject
            {
                ["everything"] = ProxyUnderTest.Stdio(fixture.Servers.Everything()),
                ["lingering"] = ProxyUnderTest.TestServer(linger: true),
            },
        }.ToJsonString(), Cancellation);
        environment ??= [];
        // Its database (the audit log) in the scratch folder, not the user's data folder.
        environment["MCP_ORCH_DATA_DIR"] = _folder.Combine("data");
        return await TypeScriptStdioClient.StartAsync(fixture.Servers, _folder.Path, command, environment,
            tool: "everything.echo", arguments: """{"message": "hi"}""", calls: calls);
    }

    [Fact]
    public async Task The_spec_s_client_configuration_serves_MCP_over_stdio_HTTP_on_its_port_and_prints_no_secret()
    {
        var port = LoopbackPort.FindFree();
        await using var client = await StartAsync(SpecCommand(), new() { ["PROXY_PORT"] = $"{port}" }, calls: 20);

        Assert.Contains("everything.echo", client.Connected["tools"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.All(client.Connected["results"]!.AsArray(), r => Assert.Equal("Echo: hi", r!.GetValue<string>()));
        // HTTP is served too, on the given port; with no key anywhere every call there needs one, and none was made.
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        Assert.Equal(HttpStatusCode.OK, await HealthAsync(http));
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/tools", Cancellation)).StatusCode);
        Assert.DoesNotContain("mco_", client.Stderr);
        Assert.Contains("The HTTP endpoints need an API key and none exists", client.Stderr);
    }

    [Fact]
    public async Task Closed_by_its_client_it_exits_and_leaves_no_server_running()
    {
        await using var client = await StartAsync(SpecCommand(), calls: 50);
        var processes = ProcessTree.Capture(client.Pid);
        Assert.True(processes.ProcessIds.Count > 1, "no MCP server process was seen under mcp-orch");

        var end = await client.EndAsync("close");

        Assert.True(end["code"]?.GetValue<int>() == 0 && end["signal"] is null, $"it ended {end.ToJsonString()}:\n{client.Stderr}");
        Assert.Empty(await SurvivorsAsync(processes));
    }

    [Fact]
    public async Task Stopped_with_SIGTERM_it_exits_cleanly_and_leaves_no_server_running()
    {
        await using var client = await StartAsync(SpecCommand());
        var processes = ProcessTree.Capture(client.Pid);

        var end = await client.EndAsync("term");

        Assert.True(end["code"]?.GetValue<int>() == 0, $"it ended {end.ToJsonString()}:\n{client.Stderr}");
        Assert.Empty(await SurvivorsAsync(processes));
    }

    [Fact]
    public async Task Killed_with_SIGKILL_it_leaves_no_server_running()
    {
        await using var client = await StartAsync(SpecCommand());
        var processes = ProcessTree.Capture(client.Pid);
        Assert.Contains(processes.ProcessIds, pid => CommandLine(pid).Contains("server-everything", StringComparison.Ordinal));
        Assert.Contains(processes.ProcessIds, pid => CommandLine(pid).Contains("--linger", StringComparison.Ordinal));

        var end = await client.EndAsync("kill");

        Assert.Equal("SIGKILL", end["signal"]!.GetValue<string>());
        Assert.Empty(await SurvivorsAsync(processes));
    }

    [Fact]
    public async Task With_its_port_taken_it_says_so_on_stderr_and_serves_stdio_all_the_same()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        await using var client = await StartAsync(SpecCommand("--port", $"{port}"));

        Assert.Equal("Echo: hi", client.Connected["results"]![0]!.GetValue<string>());
        Assert.Contains($"HTTP is not served: 127.0.0.1:{port} is in use by another program. MCP over stdio goes on", client.Stderr);
    }

    [Theory]
    [InlineData("config.yaml")]
    [InlineData("environment")]
    public async Task The_transport_setting_chooses_stdio_even_where_an_HTTP_address_is_given(string where)
    {
        // --urls alone means HTTP (the AppHost, containers); server.transport: stdio says otherwise.
        var port = LoopbackPort.FindFree();
        Dictionary<string, string> environment = [];
        if (where == "config.yaml")
            await File.WriteAllTextAsync(_folder.Combine("config.yaml"), "server:\n  transport: stdio\n", Cancellation);
        else
            environment["McpOrch__Server__Transport"] = "stdio";

        await using var client = await StartAsync(["dotnet", BuildOutput.McpOrch, "--urls", $"http://127.0.0.1:{port}"], environment);

        Assert.Equal("Echo: hi", client.Connected["results"]![0]!.GetValue<string>());
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        Assert.Equal(HttpStatusCode.OK, await HealthAsync(http));
    }

    /// <summary>
    /// <c>/health</c> once HTTP is up: the stdio session answers at once, while HTTP opens when the start is complete (the
    /// database migrated).
    /// </summary>
    static async Task<HttpStatusCode> HealthAsync(HttpClient http)
    {
        for (var deadline = DateTime.UtcNow.AddMinutes(1); ; await Task.Delay(100, Cancellation))
        {
            try
            {
                return (await http.GetAsync("/health", Cancellation)).StatusCode;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }
        }
    }

    static string CommandLine(int pid) => File.Exists($"/proc/{pid}/cmdline") ? File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ') : "";

    /// <summary>The captured processes still running a few seconds on (a killed gateway's watchdog needs a second or two).</summary>
    static async Task<IReadOnlyList<string>> SurvivorsAsync(ProcessTree processes)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(15); processes.Survivors().Count > 0 && DateTime.UtcNow < deadline;)
            await Task.Delay(100, Cancellation);
        return [.. processes.Survivors().Select(pid => $"{pid} {CommandLine(pid)}")];
    }
}
