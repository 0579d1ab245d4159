using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpOrch.Bench.Paths;

/// <summary>One way of reaching server-everything's <c>echo</c>: directly, or through a gateway.</summary>
public abstract class BenchPath : IAsyncDisposable
{
    /// <summary>
    /// Every path but E speaks 2025-11-25 with an <c>initialize</c> handshake, so that every gateway keeps a session
    /// (a 2026-07-28 client would be served sessionless by MCP Orch and by a fresh server process per request
    /// by supergateway) and the C# client makes no <c>server/discover</c> probe.
    /// </summary>
    public const string ProtocolVersion = "2025-11-25";

    /// <summary>The revision the C# client asks for on this path.</summary>
    public virtual string ClientProtocolVersion => ProtocolVersion;

    /// <summary>A, B, C or D.</summary>
    public abstract string Key { get; }

    public abstract string Name { get; }

    /// <summary>The tool's name as this path exposes it.</summary>
    public abstract string Tool { get; }

    /// <summary>The gateway process (its tree holds the server); null for direct stdio.</summary>
    public virtual int? GatewayPid => null;

    /// <summary>The target arguments of <c>ts-client/bench.mjs</c>.</summary>
    public abstract IReadOnlyList<string> TypeScriptTarget { get; }

    /// <summary>Opens one session with the C# SDK client.</summary>
    public abstract Task<BenchSession> ConnectAsync(CancellationToken cancellationToken);

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    protected McpClientOptions ClientOptions() => new()
    {
        ClientInfo = new Implementation { Name = "mcp-orch-bench", Version = "1.0.0" },
        ProtocolVersion = ClientProtocolVersion,
    };
}
