using McpOrch.Core.Configuration;
using McpOrch.Core.Upstreams;

namespace Proxy.Api.Apis;

/// <summary>
/// A server as <c>GET /servers</c> shows it. Secrets stay out: environment and header values are
/// redacted, arguments are not shown (they may carry expanded <c>${TOKEN}</c>s), and a URL loses its query.
/// </summary>
public sealed record ServerStatus(string Name, string Status, string Transport, string? ProtocolVersion, int ToolCount,
    double? UptimeSeconds, int Restarts, string? LastError, string? Command, string? Url,
    IReadOnlyDictionary<string, string> Env, IReadOnlyDictionary<string, string> Headers)
{
    const string Redacted = "***";

    internal static string TransportName(McpTransportKind kind) => kind switch
    {
        McpTransportKind.Stdio => "stdio",
        McpTransportKind.StreamableHttp => "streamable-http",
        McpTransportKind.Sse => "sse",
        _ => "http (auto-detected)",
    };

    public static ServerStatus From(UpstreamConnection connection)
    {
        var server = connection.Definition;
        return new ServerStatus(server.Name, connection.State.ToString().ToLowerInvariant(), TransportName(server.Transport),
            connection.ProtocolVersion, connection.Tools.Count,
            connection.ConnectedSince is { } since ? Math.Round((DateTimeOffset.UtcNow - since).TotalSeconds, 1) : null,
            connection.Restarts, connection.LastError, server.Command,
            server.Url is { } url ? new UriBuilder(url) { UserName = "", Password = "", Query = "", Fragment = "" }.Uri.ToString() : null,
            server.Env.ToDictionary(e => e.Key, _ => Redacted), server.Headers.ToDictionary(h => h.Key, _ => Redacted));
    }
}
