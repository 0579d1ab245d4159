using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;
using Proxy.Api.Mcp;

namespace Proxy.Api.Extensions;

public static class ProxyExtensions
{
    /// <summary>
    /// The upstream connections, and one MCP server over Streamable HTTP that merges their tools.
    /// Sessions are stateful for clients that initialize (2025-xx revisions), which keeps server-to-client
    /// requests and the GET stream possible; 2026-07-28 clients need no session.
    /// </summary>
    public static WebApplicationBuilder AddMcpProxy(this WebApplicationBuilder builder)
    {
        builder.AddUpstreams();
        builder.Services.AddSingleton<McpSessions>();

        builder.Services.AddMcpServer(options =>
            {
                options.ServerInfo = new Implementation { Name = "mcp-orch", Version = "1.0.0" };
                options.Capabilities = new ServerCapabilities { Tools = new ToolsCapability { ListChanged = true } };
            })
            .WithHttpTransport(options => options.SessionMode = HttpServerSessionMode.StatefulForInitializeClients)
            .WithListToolsHandler(ProxyToolHandlers.ListToolsAsync)
            .WithCallToolHandler(ProxyToolHandlers.CallToolAsync);
        // RunSessionHandler is marked experimental, but it is the SDK's one hook that sees a session's whole life,
        // which is what list_changed fan-out needs.
#pragma warning disable MCPEXP002
        builder.Services.AddOptions<HttpServerTransportOptions>()
            .Configure<McpSessions>((options, sessions) => options.RunSessionHandler = sessions.RunAsync);
#pragma warning restore MCPEXP002
        return builder;
    }
}
