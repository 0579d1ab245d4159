using McpOrch.Core.Security;
using ModelContextProtocol.Server;
using Proxy.Api.Extensions;
using Proxy.Api.Mcp;

namespace Proxy.Api;

/// <summary>
/// <c>mcp-orch --transport stdio</c>: the merged endpoint over stdin/stdout for an AI client that starts
/// mcp-orch itself. stdout carries only MCP messages; every log line goes to stderr; no port is opened. The caller is
/// the local user who started it: no key is asked for (nobody else can reach the pipe); calls are audited as
/// <c>anonymous</c>, and allow-lists and rate limits do not apply. As a bridge (<c>--bridge NAME</c>, or a configuration
/// of one remote server) it serves that one server under its own names, as <c>/mcp/{server}</c> does.
/// </summary>
public static class StdioProxy
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        if (builder.TryAddMcpOrchConfiguration(args) is not { } settings)
            return 2;
        builder.AddServiceDefaults();
        if (!builder.TryAddOrchDatabase(settings, migrate: true))
            return 2;
        builder.Services.AddSingleton(Caller.Anonymous);
        var servers = settings.Servers.Servers;
        var bridge = settings.Options.Server.Bridge ?? (servers is [{ Url: not null } remote] ? remote.Name : null);
        if (bridge is not null && servers.All(s => s.Name != bridge))
        {
            Console.Error.WriteLine($"MCP Orch cannot start: --bridge {bridge}: no MCP server of the configuration has that name " +
                $"(it has: {string.Join(", ", servers.Select(s => s.Name))}).");
            return 2;
        }
        if (bridge is not null)
            builder.Services.AddSingleton(new StdioBridge(bridge));
        builder.AddMcpProxy().WithStdioServerTransport();
        var host = builder.Build();
        // The one session: upstream log messages, resource updates and list changes reach it.
        host.Services.GetRequiredService<DownstreamSessions>().Keep(
            new DownstreamSession(host.Services.GetRequiredService<McpServer>(), endpoint: bridge, ToolScope.Everything));
        await host.RunAsync();
        return 0;
    }
}

/// <summary>The one server a stdio bridge serves.</summary>
public sealed record StdioBridge(string Server);
