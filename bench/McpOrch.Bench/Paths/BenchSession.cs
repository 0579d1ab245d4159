using ModelContextProtocol.Client;

namespace McpOrch.Bench.Paths;

/// <summary>One MCP session of the C# client.</summary>
/// <param name="ServerPid">For direct stdio: the server process this session started.</param>
public sealed record BenchSession(McpClient Client, int? ServerPid) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Client.DisposeAsync();
}
