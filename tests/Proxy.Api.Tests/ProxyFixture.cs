using System.Text.Json.Nodes;
using McpOrch.Testing;

namespace Proxy.Api.Tests;

/// <summary>
/// One proxy for the read-mostly tests: server-everything and server-memory (healthy), a server whose
/// command does not exist, and one that exits during start-up.
/// </summary>
public sealed class ProxyFixture : IAsyncLifetime
{
    readonly ScratchDirectory _data = ScratchDirectory.Create("proxy-data");

    public McpServersFixture Servers { get; } = new();
    public ProxyUnderTest Proxy { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await Servers.InitializeAsync();
        Proxy = await ProxyUnderTest.StartAsync(new JsonObject
        {
            ["everything"] = ProxyUnderTest.Stdio(Servers.Everything(), new Dictionary<string, string> { ["GREETING"] = "configured-value" }),
            ["memory"] = ProxyUnderTest.Stdio(Servers.Memory(_data.Combine("memory.jsonl"))),
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
