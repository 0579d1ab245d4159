using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpOrch.Core.Configuration;

/// <summary>Logs, once the logging pipeline exists, what was configured and what was ignored.</summary>
internal sealed partial class ConfigurationReport(OrchSettings settings, ILogger<ConfigurationReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var warning in settings.Warnings)
            LogIgnored(warning);
        var servers = settings.Servers.Servers;
        LogServers(servers.Count(s => !s.Disabled), servers.Count(s => s.Disabled), settings.Servers.Source ?? "no mcp-config.json");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Warning, "Configuration: {Warning}")]
    partial void LogIgnored(string warning);

    [LoggerMessage(LogLevel.Information, "{Enabled} MCP servers configured ({Disabled} disabled) from {Source}")]
    partial void LogServers(int enabled, int disabled, string source);
}
