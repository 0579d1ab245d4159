using Proxy.Api.Extensions;

namespace Proxy.Api;

/// <summary>
/// <c>mcp-orch --transport stdio</c>: the merged endpoint over stdin/stdout for an AI client that starts
/// mcp-orch itself. stdout carries only MCP messages; every log line goes to stderr; no port is opened.
/// </summary>
public static class StdioProxy
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        if (builder.TryAddMcpOrchConfiguration(args) is null)
            return 2;
        builder.AddServiceDefaults();
        builder.AddMcpProxy().WithStdioServerTransport();
        await builder.Build().RunAsync();
        return 0;
    }
}
