using System.Text.Json.Nodes;
using McpOrch.Testing;

namespace Proxy.Api.Tests;

/// <summary>
/// One proxy for the read-mostly tests: server-everything, server-memory and server-filesystem (healthy),
/// a server whose command does not exist, and one that exits during start-up.
/// </summary>
public sealed class ProxyFixture : IAsyncLifetime
{
    readonly ScratchDirectory _data = ScratchDirectory.Create("proxy-data");

    public McpServersFixture Servers { get; } = new();

    /// <summary>The one folder server-filesystem may use.</summary>
    public string Files => _data.Combine("files");
    public ProxyUnderTest Proxy { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await Servers.InitializeAsync();
        Directory.CreateDirectory(Files);
        await File.WriteAllTextAsync(Path.Combine(Files, "notes.txt"), "written before the proxy started");
        Proxy = await ProxyUnderTest.StartAsync(new JsonObject
        {
            ["everything"] = ProxyUnderTest.Stdio(Servers.Everything(), new Dictionary<string, string> { ["GREETING"] = "configured-value" }),
            ["memory"] = ProxyUnderTest.Stdio(Servers.Memory(_data.Combine("memory.jsonl"))),
            ["files"] = ProxyUnderTest.Stdio(Servers.Filesystem(Files)),
            ["missing"] = new JsonObject { ["command"] = "mcp-orch-no-such-command" },
            ["crashing"] = new JsonObject { ["command"] = Servers.NodeExecutable, ["args"] = new JsonArray("-e", "console.error('bad credentials'); process.exit(3)") },
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Proxy.DisposeAsync();
        _data.Dispose();
    }
}
