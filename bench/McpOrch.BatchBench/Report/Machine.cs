using System.Runtime.InteropServices;

namespace McpOrch.BatchBench.Report;

/// <summary>What the figures were measured on, and how busy the shared machine was.</summary>
public static class Machine
{
    public static string Describe()
    {
        string Field(string file, string key) =>
            File.ReadLines(file).Select(l => l.Split(':', 2)).FirstOrDefault(f => f[0].Trim() == key)?[1].Trim() ?? "unknown";
        return $"{Environment.ProcessorCount} cores ({Field("/proc/cpuinfo", "model name")}), {Field("/proc/meminfo", "MemTotal")} memory; {RuntimeInformation.FrameworkDescription}";
    }

    /// <summary>The 1, 5 and 15 minute load averages.</summary>
    public static string Load() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]);
}
