using System.Globalization;

namespace McpOrch.LocalServers;

/// <summary>
/// A process and all its descendants at one moment, read from <c>/proc</c>. Each member is
/// remembered with its start time, so a pid the kernel has since reused is never mistaken for it.
/// </summary>
public sealed class ProcessTree
{
    readonly IReadOnlyList<ProcessStat> _members;

    ProcessTree(IReadOnlyList<ProcessStat> members) => _members = members;

    public IReadOnlyList<int> ProcessIds => [.. _members.Select(m => m.Pid)];

    /// <summary>The process <paramref name="rootPid"/> and its descendants; empty when it is gone.</summary>
    public static ProcessTree Capture(int rootPid)
    {
        var all = ReadAll();
        var byPid = all.ToDictionary(p => p.Pid);
        var byParent = all.ToLookup(p => p.ParentPid);
        var members = new List<ProcessStat>();
        var pending = new Queue<int>([rootPid]);
        while (pending.TryDequeue(out var pid))
        {
            if (!byPid.TryGetValue(pid, out var stat))
                continue;
            members.Add(stat);
            foreach (var child in byParent[pid])
                pending.Enqueue(child.Pid);
        }
        return new ProcessTree(members);
    }

    /// <summary>Combines trees, e.g. a server and the helper daemon it needs.</summary>
    public ProcessTree With(ProcessTree other) => new([.. _members, .. other._members]);

    /// <summary>Members still running (zombies count as gone: they hold no resources but a pid).</summary>
    public IReadOnlyList<int> Survivors() =>
        [.. _members.Where(m => ReadStat(m.Pid) is { State: not 'Z' and not 'X' } now && now.StartTime == m.StartTime).Select(m => m.Pid)];

    /// <summary>Sends SIGKILL to every member still running; returns the pids it killed.</summary>
    public IReadOnlyList<int> KillSurvivors()
    {
        var survivors = Survivors();
        foreach (var pid in survivors)
            ProcessSignals.Send(pid, UnixSignal.Kill);
        return survivors;
    }

    /// <summary>True when <paramref name="pid"/> names a live (not zombie) process.</summary>
    public static bool IsRunning(int pid) => ReadStat(pid) is { State: not 'Z' and not 'X' };

    /// <summary>The command name (<c>/proc/PID/comm</c>) of a running process, or null.</summary>
    public static string? CommandName(int pid)
    {
        try
        {
            return IsRunning(pid) ? File.ReadAllText($"/proc/{pid}/comm").Trim() : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    static List<ProcessStat> ReadAll()
    {
        var stats = new List<ProcessStat>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && ReadStat(pid) is { } stat)
                stats.Add(stat);
        }
        return stats;
    }

    static ProcessStat? ReadStat(int pid)
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

        // "pid (comm) state ppid ... starttime(22nd field) ...": comm may hold spaces and parentheses,
        // so the fields are counted from the last ')'.
        var afterName = text.LastIndexOf(')');
        if (afterName < 0)
            return null;
        var fields = text[(afterName + 2)..].Split(' ');
        if (fields.Length < 20
            || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parentPid)
            || !ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var startTime))
            return null;
        return new ProcessStat(pid, parentPid, fields[0][0], startTime);
    }

    sealed record ProcessStat(int Pid, int ParentPid, char State, ulong StartTime);
}
