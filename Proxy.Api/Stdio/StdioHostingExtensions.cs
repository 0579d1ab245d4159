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
        return true;
    }

    /// <summary>
    /// Starts the stdio session (when there is one) before the host starts its services, so that <c>initialize</c> and
    /// <c>server/discover</c> are answered while the MCP servers connect and the database is migrated; the session is
    /// one of the gateway's sessions (upstream log messages, resource updates and list changes reach it). When the
    /// client closes stdin the process stops — once it has finished starting, so that a start is never cut short (a
    /// database half migrated, a failed start in the client's log).
    /// </summary>
    public static void StartStdioSession(this IHost host)
    {
        if (host.Services.GetService<StdioSession>() is not { } stdio)
            return;
        var server = host.Services.GetRequiredService<McpServer>();
        host.Services.GetRequiredService<DownstreamSessions>().Keep(new DownstreamSession(server, stdio.Bridge, stdio.Caller.Scope));
        _ = RunAsync(server, host.Services.GetRequiredService<IHostApplicationLifetime>(),
            host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StdioSession)));
    }

    static async Task RunAsync(McpServer server, IHostApplicationLifetime lifetime, ILogger logger)
    {
        try
        {
            await server.RunAsync(lifetime.ApplicationStopping);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "The MCP session over stdio failed.");
        }
        finally
        {
            var started = new TaskCompletionSource();
            using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            using (lifetime.ApplicationStopping.Register(() => started.TrySetResult()))
                await started.Task;
            lifetime.StopApplication();
        }
    }
}
