using McpOrch.Core.Upstreams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>Wires the upstream connections into a service.</summary>
public static class UpstreamHostingExtensions
{
    /// <summary>
    /// Registers the <see cref="UpstreamRegistry"/> and starts it with the host (it stops, and stops every
    /// server process, with the host), and the <see cref="ServerConfigurationWatcher"/> that follows changes of
    /// mcp-config.json; and makes the service's logging redact the servers' secrets (<see cref="ServerSecrets"/>).
    /// Needs <c>TryAddMcpOrchConfiguration</c> first.
    /// </summary>
    public static IHostApplicationBuilder AddUpstreams(this IHostApplicationBuilder builder)
    {
        // Every log line of the service, whoever writes it, without the servers' secrets: YARP's passthrough logs its
        // destination URL, the SDK its endpoint, a server's stderr what it likes.
        builder.Services.AddSingleton<ServerSecrets>();
        builder.Services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(services => services.GetRequiredService<ServerSecrets>().Wrap(
            new LoggerFactory(services.GetServices<ILoggerProvider>(), services.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
                services.GetService<IOptions<LoggerFactoryOptions>>(), services.GetService<IExternalScopeProvider>()))));
        builder.Services.AddSingleton<UpstreamRegistry>();
        builder.Services.AddHostedService(services => services.GetRequiredService<UpstreamRegistry>());
        builder.Services.AddSingleton<ServerConfigurationWatcher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ServerConfigurationWatcher>());
        // The SDK logs each connection step at Information and failed starts with stack traces;
        // UpstreamConnection reports what matters in one line. Configuration can still ask for more.
        if (builder.Configuration["Logging:LogLevel:ModelContextProtocol"] is null)
            builder.Logging.AddFilter("ModelContextProtocol", LogLevel.Error);
        return builder;
    }
}
