using System.Globalization;
using System.Runtime.InteropServices;

namespace McpOrch.Bench.Processes;

/// <summary>CPU time, resident memory and parentage of processes, read from <c>/proc</c>.</summary>
public static partial class ProcFs
{
    const int ClockTicksName = 2; // _SC_CLK_TCK

    /// <summary>Kernel clock ticks per second: the unit of utime and stime in <c>/proc/PID/stat</c>.</summary>
    public static double TicksPerSecond { get; } = SysConf(ClockTicksName) is > 0 and var ticks ? ticks : 100;

    /// <summary>One process's parent and its CPU time so far (utime + stime, all its threads).</summary>
    public static ProcessStat? Read(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // "pid (comm) state ppid … utime stime …": comm may hold spaces, so count from the last ')'.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        if (fields[0] is "Z" or "X")
            return null;
        return new ProcessStat(pid, ParseInt(fields[1]),
            long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
    }

    /// <summary>Every live process.</summary>
    public static IReadOnlyList<ProcessStat> ReadAll()
    {
        var all = new List<ProcessStat>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Read(pid) is { } stat)
                all.Add(stat);
        return all;
    }

    /// <summary>The <paramref name="roots"/> and all their descendants, with their CPU times.</summary>
    public static IReadOnlyList<ProcessStat> Tree(IEnumerable<int> roots)
    {
        var all = ReadAll();
        var byPid = all.ToDictionary(p => p.Pid);
        var byParent = all.ToLookup(p => p.ParentPid);
        var members = new List<ProcessStat>();
        var pending = new Queue<int>(roots.Distinct());
        while (pending.TryDequeue(out var pid))
        {
            if (!byPid.TryGetValue(pid, out var stat))
                continue;
            members.Add(stat);
            foreach (var child in byParent[pid])
                pending.Enqueue(child.Pid);
        }
        return members;
    }

    /// <summary>The direct children of <paramref name="pid"/>.</summary>
    public static IReadOnlyList<int> Children(int pid) => [.. ReadAll().Where(p => p.ParentPid == pid).Select(p => p.Pid)];

    /// <summary>VmRSS in bytes; 0 when the process is gone.</summary>
    public static long ResidentBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return 0;
    }

    /// <summary>The process's argv; empty when it is gone.</summary>
    public static IReadOnlyList<string> CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    static int ParseInt(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long SysConf(int name);
}
