using McpOrch.Core.Configuration;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;
using Proxy.Api.Mcp;

namespace Proxy.Api.Stdio;

public static class StdioHostingExtensions
{
    /// <summary>
    /// stdout carries MCP messages and nothing else: log lines go to stderr, and so does anything written to the
    /// console (the SDK writes MCP messages to the raw standard output stream, not through <see cref="Console.Out"/>).
    /// </summary>
    public static IHostApplicationBuilder KeepStandardOutputForMcp(this IHostApplicationBuilder builder)
    {
        Console.SetOut(Console.Error);
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        return builder;
    }

    /// <summary>
    /// Serves MCP over stdin/stdout (see <see cref="StdioSession"/>). Registered before the database, so that the session
    /// answers at once while the rest of the process comes up. False, having said why on stderr, when <c>--bridge</c>
    /// names no configured server.
    /// </summary>
    public static bool TryServeStdio(this IMcpServerBuilder mcp, OrchSettings settings)
    {
        var servers = settings.Servers.Servers;
        var bridge = settings.Options.Server.Bridge ?? (servers is [{ Url: not null } remote] ? remote.Name : null);
        if (bridge is not null && servers.All(s => s.Name != bridge))
        {
            Console.Error.WriteLine($"MCP Orch cannot start: --bridge {bridge}: no MCP server of the configuration has that name " +
                $"(it has: {string.Join(", ", servers.Select(s => s.Name))}).");
            return false;
        }
        mcp.Services.AddSingleton(new StdioSession(bridge));
        mcp.Services.AddSingleton<McpServer>(s =>
        {
            var options = s.GetRequiredService<IOptions<McpServerOptions>>().Value;
            var loggers = s.GetRequiredService<ILoggerFactory>();
            return McpServer.Create(new StdioServerTransport(options, loggers), options, loggers, s);
        });
        mcp.Services.AddHostedService<StdioSessionService>();
        return true;
    }

    /// <summary>The stdio session is one of the gateway's sessions: upstream log messages, resource updates and list changes reach it.</summary>
    public static void KeepStdioSession(this IHost host)
    {
        if (host.Services.GetService<StdioSession>() is { } stdio)
            host.Services.GetRequiredService<DownstreamSessions>().Keep(
                new DownstreamSession(host.Services.GetRequiredService<McpServer>(), stdio.Bridge, stdio.Caller.Scope));
    }
}
