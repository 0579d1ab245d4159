using System.Diagnostics;
using System.Globalization;

namespace McpOrch.Core.Upstreams;

/// <summary>
/// Makes sure no stdio server outlives the gateway, however the gateway ends — SIGKILL included, when nothing of the
/// gateway runs to stop them (a server such as server-everything does not exit when its stdin closes). On Linux each
/// server starts in a session of its own (<c>setsid</c>), so that its whole process group (npx, node, …) can be
/// signalled, and a small watchdog (<c>sh</c>, in its own session too) holds the other end of a pipe from the gateway
/// with the current list of those groups. When the pipe closes — the gateway is gone — the watchdog sends what is
/// left of each group SIGTERM, then SIGKILL a second later. Stopping normally, the gateway stops its servers itself
/// first; then nothing is left for the watchdog. Elsewhere (macOS, Windows) servers start as they are.
/// </summary>
internal static class ServerWatchdog
{
    const string SetsidPath = "/usr/bin/setsid";

    // Reads lines of "pid:starttime …", keeps the last; at end of input sends SIGTERM to each group whose leader is still
    // the process that was reported (the start time guards against a pid used again), and a second later SIGKILL to
    // whatever is left of those groups.
    const string Script = """
        exec >/dev/null 2>&1
        trap '' INT HUP TERM
        groups=""
        while IFS= read -r line; do groups=$line; done
        alive() { start=$2; stat=$(cat "/proc/$1/stat") || return 1; set -- ${stat##*") "}; [ "${20}" = "$start" ]; }
        signalled=""
        for group in $groups; do
          alive "${group%%:*}" "${group#*:}" && kill -s TERM -- "-${group%%:*}" && signalled="$signalled ${group%%:*}"
        done
        [ -n "$signalled" ] || exit 0
        sleep 1
        for group in $signalled; do kill -s KILL -- "-$group"; done
        """;

    static readonly bool Available = OperatingSystem.IsLinux() && File.Exists(SetsidPath) && File.Exists("/bin/sh");
    static readonly Lock Gate = new();
    static Process? _watchdog;

    /// <summary>
    /// The command line that starts a server in a session of its own (as it is where that is not possible). A relative
    /// path keeps meaning the gateway's current folder, as it does without <c>setsid</c>.
    /// </summary>
    public static (string Command, IList<string> Arguments) SessionOf(string command, IEnumerable<string> arguments) =>
        Available
            ? (SetsidPath, [command.Contains('/', StringComparison.Ordinal) ? Path.GetFullPath(command) : command, .. arguments])
            : (command, [.. arguments]);

    /// <summary>Tells the watchdog which server process groups exist now: call after starting a server.</summary>
    public static void Update()
    {
        if (!Available)
            return;
        lock (Gate)
        {
            try
            {
                _watchdog ??= Start();
                var self = Environment.ProcessId;
                var groups = Directory.EnumerateDirectories("/proc")
                    .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? Stat(pid) : null)
                    .Where(s => s is { } stat && stat.Parent == self && stat.Group == stat.Pid && stat.Pid != _watchdog.Id)
                    .Select(s => $"{s!.Value.Pid}:{s.Value.StartTime}");
                _watchdog.StandardInput.WriteLine(string.Join(' ', groups));
                _watchdog.StandardInput.Flush();
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // No watchdog (it could not start, or was killed): servers are still stopped when the gateway stops.
                _watchdog = null;
            }
        }
    }

    static Process Start()
    {
        var start = new ProcessStartInfo(SetsidPath)
        {
            ArgumentList = { "/bin/sh", "-c", Script },
            RedirectStandardInput = true,
            // Never the gateway's own stdout: over stdio that is the MCP client's, which waits for it to close.
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        return Process.Start(start) ?? throw new InvalidOperationException("the watchdog did not start");
    }

    /// <summary>Parent, process group and start time (clock ticks since boot) from <c>/proc/PID/stat</c>.</summary>
    static (int Pid, int Parent, int Group, long StartTime)? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // After "pid (comm) ": state, ppid, pgrp, … starttime is the 20th field from here.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (pid, int.Parse(fields[1], CultureInfo.InvariantCulture), int.Parse(fields[2], CultureInfo.InvariantCulture),
                long.Parse(fields[19], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
