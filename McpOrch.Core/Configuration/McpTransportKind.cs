namespace McpOrch.Core.Configuration;

/// <summary>How MCP Orch talks to an upstream MCP server.</summary>
public enum McpTransportKind
{
    /// <summary>A child process speaking over stdin/stdout.</summary>
    Stdio,

    /// <summary>A remote server over Streamable HTTP (<c>"type": "http"</c> or <c>"streamable-http"</c>).</summary>
    StreamableHttp,

    /// <summary>A remote server over the legacy HTTP+SSE transport (<c>"type": "sse"</c>).</summary>
    Sse,

    /// <summary>A remote server whose <c>type</c> is not given: Streamable HTTP first, SSE if that fails.</summary>
    AutoDetect,
}
