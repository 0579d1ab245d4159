using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace McpOrch.LocalServers;

/// <summary>
/// A long-running child process. Its stdout and stderr are read continuously (a full pipe would
/// block the server) into the logger and into a short tail kept for error messages. It is stopped
/// by pid; if it lingers, its whole process tree is killed, and descendants that outlive it are too.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    const int TailLength = 40;
    const int FirstErrorsLength = 10;
    static readonly TimeSpan KillWait = TimeSpan.FromSeconds(10);

    readonly Process _process;
    readonly ILogger _logger;
    readonly Queue<string> _tail = new();
    readonly List<string> _firstErrors = [];
    readonly Lock _tailLock = new();

    readonly Action<string>? _onLine;

    ServerProcess(string name, Process process, ILogger logger, Action<string>? onLine)
    {
        Name = name;
        _process = process;
        _logger = logger;
        _onLine = onLine;
    }

    /// <summary>The name the output is logged under, e.g. <c>postgres</c>.</summary>
    public string Name { get; }

    public int Id { get; private set; }

    /// <summary>The exit code, once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// For error messages: the last lines the process wrote (stdout and stderr interleaved), preceded
    /// by its first lines that mention an error when those scrolled out of the tail. Erlang, for one,
    /// follows the line that says what is wrong with a crash report longer than any tail.
    /// </summary>
    public string OutputTail
    {
        get
        {
            lock (_tailLock)
            {
                var earlierErrors = _firstErrors.Where(line => !_tail.Contains(line)).ToList();
                return earlierErrors.Count == 0
                    ? string.Join('\n', _tail)
                    : string.Join('\n', [.. earlierErrors, "...", .. _tail]);
            }
        }
    }

    /// <summary>Starts <paramref name="startInfo"/> with its output redirected and its stdin closed.</summary>
    /// <param name="name">The name the output is logged under.</param>
    /// <param name="startInfo">What to start.</param>
    /// <param name="logger">Gets the output lines (stdout at Debug, stderr at Information).</param>
    /// <param name="onLine">Also gets every output line, for a console that shows them all.</param>
    public static ServerProcess Start(string name, ProcessStartInfo startInfo, ILogger logger, Action<string>? onLine = null)
    {
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        startInfo.RedirectStandardInput = true;
        startInfo.UseShellExecute = false;

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var server = new ServerProcess(name, process, logger, onLine);
        process.OutputDataReceived += (_, e) => server.OnOutput(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => server.OnOutput(e.Data, isError: true);
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            throw new BackingServerException($"{name}: could not start {startInfo.FileName}: {e.Message}", e);
        }
        server.Id = process.Id;
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        LogStarted(logger, name, process.Id, startInfo.FileName);
        return server;
    }

    /// <summary>This process and its descendants right now.</summary>
    public ProcessTree CaptureTree() => ProcessTree.Capture(Id);

    /// <summary>Sends <paramref name="signal"/> to this process.</summary>
    public void Signal(UnixSignal signal) => ProcessSignals.Send(Id, signal);

    /// <summary>Waits for the process to exit, at most until <paramref name="cancellationToken"/> fires.</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>
    /// Asks the process to stop with <paramref name="requestStop"/> (SIGTERM to it when null) and waits
    /// <paramref name="gracePeriod"/>; then, or when <paramref name="cancellationToken"/> fires first,
    /// kills its whole tree. Either way, descendants that outlived it are killed too.
    /// </summary>
    public async Task StopAsync(Action? requestStop, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        var tree = CaptureTree();
        if (!_process.HasExited)
        {
            (requestStop ?? (() => Signal(UnixSignal.Terminate)))();
            using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            grace.CancelAfter(gracePeriod);
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                LogKilling(_logger, Name, Id, gracePeriod);
                await KillTreeAsync(tree);
            }
        }

        var killed = tree.KillSurvivors();
        if (killed.Count > 0)
            LogKilledSurvivors(_logger, Name, string.Join(", ", killed));
        LogStopped(_logger, Name, Id);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Kills the whole tree at once (SIGKILL) and waits for it to go.</summary>
    public async Task KillAsync() => await KillTreeAsync(CaptureTree());

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
            await KillAsync();
        _process.Dispose();
    }

    async Task KillTreeAsync(ProcessTree tree)
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited in the meantime.
        }
        tree.KillSurvivors();
        using var wait = new CancellationTokenSource(KillWait);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            // SIGKILL cannot be ignored: the process is gone even if its output pipes are still held open.
        }
    }

    void OnOutput(string? line, bool isError)
    {
        if (line is null)
            return;
        lock (_tailLock)
        {
            if (_firstErrors.Count < FirstErrorsLength
                && (line.Contains("error", StringComparison.OrdinalIgnoreCase) || line.Contains("fatal", StringComparison.OrdinalIgnoreCase)))
                _firstErrors.Add(line);
            _tail.Enqueue(line);
            while (_tail.Count > TailLength)
                _tail.Dequeue();
        }
        _onLine?.Invoke(line);
        if (isError)
            LogStandardError(_logger, Name, line);
        else
            LogStandardOutput(_logger, Name, line);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Name}: started {Executable} as pid {Pid}")]
    static partial void LogStarted(ILogger logger, string name, int pid, string executable);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Name}: {Line}")]
    static partial void LogStandardOutput(ILogger logger, string name, string line);

    // Servers such as PostgreSQL log everything to stderr; Information keeps their notices visible.
    [LoggerMessage(Level = LogLevel.Information, Message = "{Name}: {Line}")]
    static partial void LogStandardError(ILogger logger, string name, string line);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Name}: pid {Pid} did not stop within {GracePeriod}: killing its process tree")]
    static partial void LogKilling(ILogger logger, string name, int pid, TimeSpan gracePeriod);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Name}: killed descendants that outlived the server: {Pids}")]
    static partial void LogKilledSurvivors(ILogger logger, string name, string pids);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Name}: pid {Pid} stopped")]
    static partial void LogStopped(ILogger logger, string name, int pid);
}
