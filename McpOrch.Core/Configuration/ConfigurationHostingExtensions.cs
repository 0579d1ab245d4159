using McpOrch.Core.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>Wires MCP Orch's configuration into a service.</summary>
public static class ConfigurationHostingExtensions
{
    /// <summary>
    /// Reads config.yaml, mcp-config.json, the environment and the command line, and registers
    /// <see cref="OrchSettings"/>, <see cref="IOptions{OrchOptions}"/> and <see cref="McpServersConfiguration"/>.
    /// When the configuration is bad, writes every problem to stderr and returns null: the process should
    /// exit (with code 2) rather than start half-configured.
    /// </summary>
    public static OrchSettings? TryAddMcpOrchConfiguration(this IHostApplicationBuilder builder, string[] args)
    {
        OrchSettings settings;
        try
        {
            settings = OrchConfiguration.Load(builder.Configuration, args, EnvironmentSettingsProvider.Process(),
                Directory.GetCurrentDirectory());
        }
        catch (OrchConfigurationException e)
        {
            Console.Error.WriteLine($"MCP Orch cannot start: {e.Report}");
            return null;
        }

        if (settings.Options.Server.LogLevel is { } level)
            builder.Configuration["Logging:LogLevel:Default"] = level.ToString();
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(settings.Servers);
        builder.Services.AddSingleton(Options.Options.Create(settings.Options));
        builder.Services.AddHostedService<ConfigurationReport>();
        return settings;
    }
}
