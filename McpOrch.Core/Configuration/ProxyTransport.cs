namespace McpOrch.Core.Configuration;

/// <summary>How MCP clients reach the gateway.</summary>
public enum ProxyTransport
{
    /// <summary>Streamable HTTP at <c>/mcp</c>, plus the REST API.</summary>
    Http,

    /// <summary>stdin/stdout, for an AI client (Cursor, Cline, Claude Desktop) that starts <c>mcp-orch</c> itself.</summary>
    Stdio,
}
