using System.Text.Json.Nodes;
using McpOrch.Testing;

namespace Proxy.Api.Tests;

/// <summary>
/// One proxy for the read-mostly tests: server-everything, server-memory and server-filesystem (healthy),
/// a server whose command does not exist, one that exits during start-up, and a disabled one. Besides its API_KEY it has the keys of
/// <see cref="Keys"/>, and JWTs signed with <see cref="ProxyUnderTest.ProxySecret"/> that expire within 48 hours.
/// </summary>
public sealed class ProxyFixture : IAsyncLifetime
{
    /// <summary>The keys of its config.yaml, by name.</summary>
    public static class Keys
    {
        public const string Reader = "reader-key-for-tests";
        public const string EchoOnly = "echo-only-key-for-tests";
        public const string MemoryOnly = "memory-only-key-for-tests";
        public const string Limited = "limited-key-for-tests";
        public const string Writer = "writer-key-for-tests";
        public const string Runner = "runner-key-for-tests";

        /// <summary>Calls per minute of <see cref="Limited"/>: one call a second comes back.</summary>
        public const int LimitedPerMinute = 60;

        public static readonly string ConfigYaml = $$"""
            server:
              legacy_sse: true
            security:
              jwt_max_lifetime: 48h
              api_keys:
                - { name: reader, key: {{Reader}}, permissions: [read] }
                - { name: echo-only, key: {{EchoOnly}}, permissions: [read, execute], tools: [everything.echo] }
                - { name: memory-only, key: {{MemoryOnly}}, permissions: [read, execute], servers: [memory] }
                - { name: limited, key: {{Limited}}, permissions: [read, execute], rate_limit: {{LimitedPerMinute}} }
                - { name: writer, key: {{Writer}}, permissions: [read, write] }
                - { name: runner, key: {{Runner}}, permissions: [execute] }
            """;
    }

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
            ["switched-off"] = new JsonObject { ["command"] = "mcp-orch-never-started", ["disabled"] = true },
        }, Keys.ConfigYaml);
    }

    public async ValueTask DisposeAsync()
    {
        await Proxy.DisposeAsync();
        _data.Dispose();
    }
}
