namespace Proxy.Api.Mcp;

/// <summary>
/// Lets a request of a session carry an MCP-Protocol-Version other than the negotiated one, as long as it is a
/// version of the initialize-handshake era. SDK 2.3.1 answers any header that differs from the negotiated version
/// with -32600 ("The negotiated protocol version cannot change within a session"), although the spec only asks
/// servers to reject invalid or unsupported versions; clients that send an older header on a later request (the
/// conformance suite's server-sse-polling sends 2025-03-26 after negotiating 2025-11-25) would fail. Dropping the
/// header makes the SDK use the session's negotiated version. Shared with tests/McpOrch.ConformanceServer.
/// </summary>
public static class SessionProtocolVersion
{
    static readonly HashSet<string> HandshakeVersions = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];

    public static Task Tolerate(HttpContext context, RequestDelegate next)
    {
        var headers = context.Request.Headers;
        if (headers.ContainsKey("Mcp-Session-Id") && HandshakeVersions.Contains(headers["MCP-Protocol-Version"].ToString()))
            headers.Remove("MCP-Protocol-Version");
        return next(context);
    }
}
