using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;

namespace McpOrch.Core.Configuration;

/// <summary>The <c>server</c> section of <c>config.yaml</c>.</summary>
public sealed class ServerOptions
{
    /// <summary>The address to listen on; loopback unless the gateway is meant to be shared.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>
    /// How MCP clients reach the gateway: over HTTP, or over stdin/stdout for an AI client that starts it. Unset: stdio
    /// when an MCP client started the process (stdin a pipe, stdout not a terminal), else HTTP.
    /// </summary>
    public ProxyTransport? Transport { get; set; }

    /// <summary>The HTTP port.</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 8080;

    /// <summary>Which surfaces are served: the proxy, batch jobs, or both.</summary>
    public ServerMode Mode { get; set; } = ServerMode.Hybrid;

    /// <summary>The default log level (<c>LOG_LEVEL</c>); unset keeps the level of appsettings.json.</summary>
    public LogLevel? LogLevel { get; set; }

    /// <summary>How long an MCP server may take to start and list its tools before the attempt counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "must be between 100ms and 10m")]
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A tool call over Streamable HTTP still running after this long moves to SSE polling: its response stream ends
    /// with a retry hint, and the client fetches the answer with GET and <c>Last-Event-ID</c>. Long calls then survive
    /// proxies and load balancers that cut idle connections (Azure Container Apps: 240 s). 0: every call.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "must be between 0 and 1h")]
    public TimeSpan SsePollAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Also serve the old HTTP+SSE transport (GET <c>/mcp/sse</c>, <c>/mcp/{server}/sse</c>, then POST to the message
    /// URL it gives) for clients that never moved to Streamable HTTP. Off by default: it has no backpressure on
    /// requests, so offer it only to clients you trust.
    /// </summary>
    public bool LegacySse { get; set; }

    /// <summary>
    /// With <c>--transport stdio</c>: serve this one server under its own names (<c>--bridge NAME</c>), a local stdio
    /// bridge for clients that only speak stdio. Unset with exactly one configured server, and that one remote, it is
    /// that server.
    /// </summary>
    public string? Bridge { get; set; }

    /// <summary>Between a server's name and its tool's name in the merged catalog: <c>github.list_issues</c>.</summary>
    [RegularExpression("^[A-Za-z0-9_.-]{1,3}$", ErrorMessage = "must be 1 to 3 of the characters A-Z a-z 0-9 _ . -, such as . or __")]
    public string ToolSeparator { get; set; } = ".";

    /// <summary>The <c>mcp-config.json</c> file with the MCP servers to put behind the gateway.</summary>
    public string McpConfig { get; set; } = "mcp-config.json";

    /// <summary>
    /// Where the gateway keeps its SQLite database (<c>mcp-orch.db</c>: API keys, the audit log, batch runs) when no
    /// PostgreSQL is given; by default the user's data folder (<c>~/.local/share/mcp-orch</c> on Linux), so that they
    /// survive a restart wherever the gateway is started.
    /// </summary>
    public string? DataDir { get; set; }
}
