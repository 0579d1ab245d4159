using McpOrch.Core.Upstreams;

namespace Proxy.Api.Apis;

/// <summary>A server's stderr as <c>GET /servers/{name}/stderr</c> shows it: what this process kept of it, redacted.</summary>
/// <param name="Server">The server's name.</param>
/// <param name="Transport">As <c>GET /servers</c> names it: only <c>stdio</c> servers have a stderr.</param>
/// <param name="Capacity">The entries kept for the server (0: none are).</param>
/// <param name="Lines">The newest entries, the oldest first.</param>
/// <param name="Note">Why there are none, when there cannot be any.</param>
public sealed record ServerStandardError(string Server, string Transport, int Capacity, IReadOnlyList<StandardErrorLine> Lines, string? Note)
{
    public static ServerStandardError From(UpstreamConnection connection, int limit)
    {
        var server = connection.Definition;
        var transport = ServerStatus.TransportName(server.Transport);
        return connection.StandardError is not { } log
            ? new(server.Name, transport, 0, [],
                $"MCP server '{server.Name}' is reached over HTTP ({transport}): it has no stderr here. GET /servers shows its lastError.")
            : new(server.Name, transport, StandardErrorLog.Capacity, log.Last(limit),
                server.Disabled ? $"MCP server '{server.Name}' is disabled (\"disabled\": true in mcp-config.json): its process is not started." : null);
    }
}
