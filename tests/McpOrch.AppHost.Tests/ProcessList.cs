using McpOrch.LocalServers;

namespace McpOrch.AppHost.Tests;

/// <summary>Finding the processes an AppHost started, to check that none outlives it.</summary>
static class ProcessList
{
    /// <summary>Every process whose environment holds <paramref name="variable"/>=<paramref name="value"/>: what a process started with it, and its descendants, inherit.</summary>
    public static IReadOnlyList<int> WithEnvironment(string variable, string value)
    {
        var entry = $"{variable}={value}\0";
        List<int> found = [];
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
                continue;
            try
            {
                if (ProcessTree.IsRunning(pid) && File.ReadAllText(Path.Combine(dir, "environ")).Contains(entry, StringComparison.Ordinal))
                    found.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to read.
            }
        }
        return found;
    }

    /// <summary>"pid command line" of each of <paramref name="pids"/>, for failure messages.</summary>
    public static string Describe(IEnumerable<int> pids) => string.Join("; ", pids.Select(pid =>
    {
        try
        {
            return $"{pid} {File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ')}";
        }
        catch (IOException)
        {
            return $"{pid} (gone)";
        }
    }));
}
