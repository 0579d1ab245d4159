using ModelContextProtocol.Server;

namespace Proxy.Api.Stdio;

/// <summary>
/// Runs the MCP session over stdin/stdout, and stops the process when the client closes stdin — once the process has
/// finished starting, so that a start is never cut short (a database half migrated, a failed start in the client's
/// log). Stands in for the SDK's own single-session service, which stops the application at once.
/// </summary>
internal sealed class StdioSessionService(McpServer server, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await server.RunAsync(stoppingToken);
        }
        finally
        {
            var started = new TaskCompletionSource();
            using (lifetime.ApplicationStarted.Register(started.SetResult))
            using (lifetime.ApplicationStopping.Register(started.SetResult))
                await started.Task;
            lifetime.StopApplication();
        }
    }
}
