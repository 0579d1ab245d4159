using System.Diagnostics;
using System.Runtime.InteropServices;
using McpOrch.Bench.Paths;

namespace McpOrch.Bench.Report;

/// <summary>What the figures were measured on, for the report.</summary>
public sealed record MachineInfo(int Processors, string CpuModel, string Memory, string Runtime, string Node,
    IReadOnlyDictionary<string, string> Packages, string LoadAverageBefore, string? LoadAverageAfter, DateTimeOffset Started)
{
    public static MachineInfo Read(NodePackages packages) => new(
        Environment.ProcessorCount,
        ProcLine("/proc/cpuinfo", "model name") ?? "unknown",
        ProcLine("/proc/meminfo", "MemTotal") ?? "unknown",
        RuntimeInformation.FrameworkDescription,
        NodeVersion(packages),
        new[] { "@modelcontextprotocol/server-everything", "supergateway", "mcp-proxy", "@modelcontextprotocol/sdk" }
            .ToDictionary(p => p, packages.Version),
        LoadAverage(),
        null,
        DateTimeOffset.Now);

    /// <summary>The 1, 5 and 15 minute load averages: how busy the shared machine was.</summary>
    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    static string? ProcLine(string file, string key) =>
        File.ReadLines(file).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal))?.Split(':', 2)[1].Trim();

    static string NodeVersion(NodePackages packages)
    {
        using var node = Process.Start(new ProcessStartInfo(packages.Node, ["--version"]) { RedirectStandardOutput = true })!;
        var version = node.StandardOutput.ReadToEnd().Trim();
        node.WaitForExit();
        return version;
    }
}
