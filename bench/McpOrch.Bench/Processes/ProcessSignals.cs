using System.Runtime.InteropServices;

namespace McpOrch.Bench.Processes;

/// <summary>
/// SIGTERM lets a gateway stop the server it started; .NET itself only offers SIGKILL.
/// </summary>
public static partial class ProcessSignals
{
    public const int Terminate = 15;
    public const int Kill = 9;

    /// <summary>Sends <paramref name="signal"/>; false when no such process exists any more.</summary>
    public static bool Send(int pid, int signal) => KillProcess(pid, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillProcess(int pid, int signal);
}
