using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpOrch.AppHost;

/// <summary>Marks a service whose replicas are started again when they exit on their own (see <see cref="CrashedReplicaRestarter"/>).</summary>
public sealed class RestartOnExitAnnotation : IResourceAnnotation;

/// <summary>
/// DCP does not restart a process that exits. A replica of a service marked <see cref="RestartOnExitAnnotation"/> that
/// exits on its own — a crash, a kill — while the AppHost runs is started again, as a container orchestrator would, after
/// a delay that doubles from 1 s to 30 s for one that keeps exiting. One stopped from the dashboard stays stopped.
/// It runs from Aspire's <c>BeforeStartEvent</c>, as <see cref="ConsoleGuide"/> does.
/// </summary>
public sealed partial class CrashedReplicaRestarter(
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    IHostApplicationLifetime lifetime,
    ILogger<CrashedReplicaRestarter> logger)
{
    static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);
    static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    readonly Dictionary<string, string?> _states = [];
    readonly Dictionary<string, int> _restarts = [];

    /// <summary>Watches every resource until <paramref name="stoppingToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WatchAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    async Task WatchAsync(CancellationToken stoppingToken)
    {
        await foreach (var e in notifications.WatchAsync(stoppingToken))
        {
            if (!e.Resource.TryGetLastAnnotation<RestartOnExitAnnotation>(out _))
                continue;
            var state = e.Snapshot.State?.Text;
            _states.TryGetValue(e.ResourceId, out var previous);
            _states[e.ResourceId] = state;
            var exitedOnItsOwn = state is not null && state != previous && KnownResourceStates.TerminalStates.Contains(state)
                && previous is not null && previous != KnownResourceStates.Stopping && !KnownResourceStates.TerminalStates.Contains(previous);
            if (!exitedOnItsOwn || lifetime.ApplicationStopping.IsCancellationRequested)
                continue;
            var restarts = _restarts[e.ResourceId] = _restarts.GetValueOrDefault(e.ResourceId) + 1;
            var delay = TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, FirstDelay.Ticks << Math.Min(restarts - 1, 5)));
            LogRestarting(logger, e.ResourceId, e.Snapshot.ExitCode, delay.TotalSeconds, restarts);
            _ = RestartAsync(e.ResourceId, delay, stoppingToken);
        }
    }

    async Task RestartAsync(string resourceId, TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, stoppingToken);
            var result = await commands.ExecuteCommandAsync(resourceId, KnownResourceCommands.StartCommand, stoppingToken);
            if (!result.Success)
                LogRestartFailed(logger, resourceId, result.Message);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Resource} exited on its own (exit code {ExitCode}): starting it again in {Delay} s (restart {Restarts})")]
    static partial void LogRestarting(ILogger logger, string resource, int? exitCode, double delay, int restarts);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Resource} could not be started again: {Message}")]
    static partial void LogRestartFailed(ILogger logger, string resource, string? message);
}
