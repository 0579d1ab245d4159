using System.Diagnostics;

namespace McpOrch.Bench.Processes;

/// <summary>
/// A gateway under test, started as a child process with its output in a log file. It is stopped
/// by pid: SIGTERM so that it stops its own server, then SIGKILL for whatever of its tree is left.
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);
    readonly Process _process;
    readonly StreamWriter _log;
    readonly Lock _logLock = new();
    bool _closed;

    GatewayProcess(Process process, StreamWriter log)
    {
        _process = process;
        _log = log;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <param name="pidFile">Each pid is appended here, so that bench/run.sh can stop what a crashed run left.</param>
    public static GatewayProcess Start(ProcessStartInfo startInfo, string logPath, string pidFile)
    {
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        startInfo.RedirectStandardInput = true;
        startInfo.UseShellExecute = false;
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"{startInfo.FileName} did not start");
        File.AppendAllText(pidFile, $"{process.Id}\n");
        var gateway = new GatewayProcess(process, log);
        process.OutputDataReceived += (_, e) => gateway.Write(e.Data);
        process.ErrorDataReceived += (_, e) => gateway.Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return gateway;
    }

    void Write(string? line)
    {
        if (line is null)
            return;
        lock (_logLock)
            if (!_closed)
                _log.WriteLine(line);
    }

    public async ValueTask DisposeAsync()
    {
        var tree = ProcFs.Tree([Pid]).Select(p => p.Pid).ToList();
        ProcessSignals.Send(Pid, ProcessSignals.Terminate);
        using (var grace = new CancellationTokenSource(StopGrace))
        {
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
        // A gateway that stopped without stopping its children, or did not stop at all.
        foreach (var pid in tree.Where(pid => ProcFs.Read(pid) is not null))
            ProcessSignals.Send(pid, ProcessSignals.Kill);
        _process.Dispose();
        lock (_logLock)
        {
            _closed = true;
            _log.Dispose();
        }
    }
}
