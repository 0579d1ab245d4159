using System.Text.Json;
using System.Text.Json.Nodes;
using McpOrch.Testing;
using ModelContextProtocol.Client;

namespace Proxy.Api.Tests;

/// <summary>
/// mcp-orch started as a real process in a scratch folder, in front of real npm MCP servers over stdio,
/// with a secret in its own environment that no upstream may see.
/// </summary>
public sealed class ProxyUnderTest : IAsyncDisposable
{
    public const string ProxySecret = "proxy-secret-that-no-upstream-may-see";

    readonly ScratchDirectory _folder;

    ProxyUnderTest(ScratchDirectory folder, ServiceProcess process)
    {
        _folder = folder;
        Process = process;
        Http = new HttpClient { BaseAddress = process.BaseAddress }.WithApiKey(ProxySecret);
    }

    public ServiceProcess Process { get; }
    public HttpClient Http { get; }
    public string Folder => _folder.Path;

    /// <summary>Starts mcp-orch with <paramref name="servers"/> as its mcp-config.json and waits until it is healthy.</summary>
    public static async Task<ProxyUnderTest> StartAsync(JsonObject servers, string? configYaml = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var folder = ScratchDirectory.Create("proxy");
        await WriteServersAsync(folder.Path, servers);
        if (configYaml is not null)
            await File.WriteAllTextAsync(folder.Combine("config.yaml"), configYaml);
        var process = ServiceProcess.Start("Proxy.Api", folder.Path, new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["API_KEY"] = ProxySecret,
            ["JWT_SECRET"] = ProxySecret,
        });
        await process.WaitForAsync("/health");
        return new ProxyUnderTest(folder, process);
    }

    /// <summary>A client of the proxy that sends <paramref name="key"/>.</summary>
    public HttpClient ClientWith(string key) => new HttpClient { BaseAddress = Process.BaseAddress }.WithApiKey(key);

    /// <summary>Replaces the proxy's mcp-config.json.</summary>
    public Task WriteServersAsync(JsonObject servers) => WriteServersAsync(Folder, servers);

    static Task WriteServersAsync(string folder, JsonObject servers) =>
        File.WriteAllTextAsync(Path.Combine(folder, "mcp-config.json"), new JsonObject { ["mcpServers"] = servers }.ToJsonString());

    /// <summary>A stdio server entry for mcp-config.json.</summary>
    public static JsonObject Stdio(NodeCommand command, IReadOnlyDictionary<string, string>? env = null, double? timeoutSeconds = null)
    {
        var server = command.ToMcpServerEntry(timeoutSeconds);
        if (env is not null)
            server["env"] = JsonSerializer.SerializeToNode(env);
        return server;
    }

    /// <summary>An entry for tests/McpOrch.TestServer, the C# server with the behaviours the npm servers lack.</summary>
    /// <param name="revision">The one protocol revision it speaks (it refuses the others), or null for all it can.</param>
    /// <param name="linger">Keep running after stdin closes, until a signal ends it.</param>
    public static JsonObject TestServer(double? timeoutSeconds = null, string? revision = null, bool linger = false)
    {
        var command = McpOrch.Testing.TestServer.Command();
        string[] options = [.. revision is null ? [] : new[] { $"--revision={revision}" }, .. linger ? new[] { "--linger=true" } : []];
        return Stdio(command with { Arguments = [.. command.Arguments, .. options] }, timeoutSeconds: timeoutSeconds);
    }

    /// <summary>An MCP client of the merged endpoint, authenticated with <paramref name="key"/> (the proxy's API_KEY by default).</summary>
    public Task<McpClient> ConnectAsync(CancellationToken cancellationToken, string path = "/mcp", McpClientOptions? options = null, string key = ProxySecret) =>
        McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(Process.BaseAddress, path),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = TestCredentials.Headers(key),
        }), options, cancellationToken: cancellationToken);

    /// <summary>The pids of the processes the proxy started (its descendants).</summary>
    public IReadOnlyList<int> ChildProcessIds() =>
        [.. McpOrch.LocalServers.ProcessTree.Capture(Process.Id).ProcessIds.Where(pid => pid != Process.Id)];

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Process.DisposeAsync();
        _folder.Dispose();
    }
}
