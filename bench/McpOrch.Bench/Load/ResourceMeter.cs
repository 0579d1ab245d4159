using McpOrch.Bench.Processes;

namespace McpOrch.Bench.Load;

/// <summary>Reads utime + stime of the measured processes right before and right after the measured calls.</summary>
public sealed class ResourceMeter
{
    readonly IReadOnlyList<int> _roots;
    readonly int? _gatewayPid;
    readonly int _clientPid;
    readonly Dictionary<int, long> _treeBefore;
    readonly long _gatewayBefore;
    readonly long _clientBefore;

    ResourceMeter(IReadOnlyList<int> roots, int? gatewayPid, int clientPid)
    {
        _roots = roots;
        _gatewayPid = gatewayPid;
        _clientPid = clientPid;
        _treeBefore = ProcFs.Tree(roots).ToDictionary(p => p.Pid, p => p.CpuTicks);
        _gatewayBefore = gatewayPid is { } gateway ? Ticks(gateway) : 0;
        _clientBefore = Ticks(clientPid);
    }

    /// <param name="roots">The gateway, or the direct stdio server processes; their descendants count too.</param>
    public static ResourceMeter Start(IReadOnlyList<int> roots, int? gatewayPid, int clientPid) => new(roots, gatewayPid, clientPid);

    public ResourceUsage Stop()
    {
        var clientAfter = Ticks(_clientPid);
        var gatewayAfter = _gatewayPid is { } gateway ? Ticks(gateway) : 0;
        var tree = ProcFs.Tree(_roots);
        // A process that appeared during the phase counts with all its CPU time; one that ended took its time
        // with it (the benchmark closes sessions only after this reading, so that does not happen to a session's server).
        var treeTicks = tree.Sum(p => p.CpuTicks - _treeBefore.GetValueOrDefault(p.Pid));
        return new ResourceUsage(
            treeTicks / ProcFs.TicksPerSecond,
            _gatewayPid is null ? null : (gatewayAfter - _gatewayBefore) / ProcFs.TicksPerSecond,
            (clientAfter - _clientBefore) / ProcFs.TicksPerSecond,
            tree.Sum(p => ProcFs.ResidentBytes(p.Pid)),
            _gatewayPid is { } pid ? ProcFs.ResidentBytes(pid) : null,
            tree.Count);
    }

    static long Ticks(int pid) => ProcFs.Read(pid)?.CpuTicks ?? throw new InvalidOperationException($"process {pid} is gone");
}
