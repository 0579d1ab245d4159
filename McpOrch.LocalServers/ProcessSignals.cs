using System.Runtime.InteropServices;

namespace McpOrch.LocalServers;

/// <summary>
/// Sends a signal to a pid. .NET only offers SIGKILL (<see cref="System.Diagnostics.Process.Kill()"/>),
/// and the servers need SIGINT or SIGTERM to shut down cleanly, some to a pid that is not our child
/// (the postmaster behind <c>runuser</c>).
/// </summary>
public static partial class ProcessSignals
{
    /// <summary>Sends <paramref name="signal"/>; returns false when no such process exists any more.</summary>
    public static bool Send(int pid, UnixSignal signal) => Kill(pid, (int)signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
