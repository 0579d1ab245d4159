using Microsoft.Extensions.Logging;

namespace McpOrch.LocalServers;

/// <summary>
/// A server a previous run left behind because it was killed before it could stop it (SIGKILL,
/// a detached debugger). The pid file in the server's data directory still names it, and it holds
/// the data directory's lock, so it is stopped before a new server starts there.
/// </summary>
public static partial class OrphanedServer
{
    static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(30);
    static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Stops the process named in the first line of <paramref name="pidFile"/> if it is still running
    /// <paramref name="commandName"/> (so a reused pid is left alone): <paramref name="signal"/> first,
    /// its whole tree killed if it does not exit in time.
    /// </summary>
    public static async Task StopAsync(string pidFile, string commandName, UnixSignal signal, ILogger logger, CancellationToken cancellationToken)
    {
        if (!File.Exists(pidFile))
            return;
        var firstLine = (await File.ReadAllLinesAsync(pidFile, cancellationToken)).FirstOrDefault();
        if (!int.TryParse(firstLine?.Trim(), out var pid) || ProcessTree.CommandName(pid) != commandName)
            return;

        LogStopping(logger, commandName, pid, pidFile);
        var tree = ProcessTree.Capture(pid);
        ProcessSignals.Send(pid, signal);
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        grace.CancelAfter(GracePeriod);
        try
        {
            while (ProcessTree.IsRunning(pid))
                await Task.Delay(PollInterval, grace.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Did not stop in time: the kill below ends it.
        }
        finally
        {
            tree.KillSurvivors();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping {Command} (pid {Pid}) left running by an earlier run, as recorded in {PidFile}")]
    static partial void LogStopping(ILogger logger, string command, int pid, string pidFile);
}
