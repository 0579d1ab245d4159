using McpOrch.AppHost.BackingServers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpOrch.AppHost;

/// <summary>
/// Starts PostgreSQL, Redis and RabbitMQ for local development, each in its own folder under one
/// data root (<c>.mcp-orch/</c> in the repository, or <c>--data DIR</c>), prints their connection
/// strings, and stops them in reverse order when the host stops (Ctrl+C, SIGTERM).
/// </summary>
public sealed partial class LocalBackingServers(
    IConfiguration configuration,
    IHostApplicationLifetime lifetime,
    ILoggerFactory loggerFactory) : IHostedService
{
    public const string DataOption = "data";
    public const string DefaultDataFolder = ".mcp-orch";

    readonly List<IBackingServer> _started = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var dataRoot = DataRoot();
            LogDataRoot(loggerFactory.CreateLogger<LocalBackingServers>(), dataRoot);
            Add(await PostgresServer.StartAsync(new() { DataDirectory = Path.Combine(dataRoot, "postgres") },
                loggerFactory.CreateLogger<PostgresServer>(), cancellationToken));
            Add(await RedisServer.StartAsync(new() { DataDirectory = Path.Combine(dataRoot, "redis") },
                loggerFactory.CreateLogger<RedisServer>(), cancellationToken));
            Add(await RabbitMqServer.StartAsync(new() { DataDirectory = Path.Combine(dataRoot, "rabbitmq") },
                loggerFactory.CreateLogger<RabbitMqServer>(), cancellationToken));
        }
        catch (Exception e)
        {
            // The host does not stop a service whose start failed: stop what did start, or it would outlive us.
            await StopAsync(CancellationToken.None);
            if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
                return;
            if (e is not (BackingServerException or InvalidOperationException))
                throw;
            // One line a person can act on (what is missing, how to install it), not a stack trace.
            Console.Error.WriteLine($"McpOrch.AppHost: {e.Message}");
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        for (var i = _started.Count - 1; i >= 0; i--)
        {
            var server = _started[i];
            try
            {
                await server.StopAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The host's shutdown timeout passed: StopAsync killed the server's processes instead.
            }
            finally
            {
                await server.DisposeAsync();
            }
        }
        _started.Clear();
    }

    void Add(IBackingServer server)
    {
        _started.Add(server);
        Console.WriteLine($"{server.ResourceName,-10} {server.ConnectionString}   (ConnectionStrings__{server.ConnectionName})");
    }

    string DataRoot()
    {
        if (configuration[DataOption] is { Length: > 0 } data)
            return Path.GetFullPath(data);
        var repository = RepositoryRoot.TryFind(Environment.CurrentDirectory, AppContext.BaseDirectory)
            ?? throw new InvalidOperationException(
                $"{RepositoryRoot.SolutionFileName} was not found above {Environment.CurrentDirectory}: run from inside the repository or pass --{DataOption} DIR.");
        return Path.Combine(repository, DefaultDataFolder);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Backing servers keep their data in {DataRoot}")]
    static partial void LogDataRoot(ILogger logger, string dataRoot);
}
