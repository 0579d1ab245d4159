using McpOrch.Bench.Load;

namespace McpOrch.Bench.Report;

/// <summary>
/// One path, phase and client over all rounds: latency percentiles of every call of every round together,
/// the median round's throughput (and the range), CPU time summed over the rounds divided by their calls,
/// and the highest memory seen at the end of a round.
/// </summary>
public sealed record Summary(ClientKind Client, string Path, Phase Phase, int Rounds, int Calls, double P50, double P99,
    double CallsPerSecond, double MinCallsPerSecond, double MaxCallsPerSecond, double TreeCpuMsPerCall, double? GatewayCpuMsPerCall,
    double ClientCpuMsPerCall, long PeakTreeBytes, long? PeakGatewayBytes, int TreeProcesses)
{
    public static IReadOnlyList<Summary> From(IEnumerable<PhaseRun> runs) =>
        [.. runs.GroupBy(r => (r.Client, r.Path, r.Phase.Key)).Select(Of)];

    static Summary Of(IEnumerable<PhaseRun> group)
    {
        var runs = group.ToList();
        var latencies = runs.SelectMany(r => r.LatenciesMs).Order().ToArray();
        var throughput = runs.Select(r => r.CallsPerSecond).Order().ToArray();
        var calls = runs.Sum(r => r.Calls);
        return new Summary(runs[0].Client, runs[0].Path, runs[0].Phase, runs.Count, calls,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99),
            Median(throughput), throughput[0], throughput[^1],
            runs.Sum(r => r.Usage.TreeCpuSeconds) * 1000 / calls,
            runs[0].Usage.GatewayCpuSeconds is null ? null : runs.Sum(r => r.Usage.GatewayCpuSeconds ?? 0) * 1000 / calls,
            runs.Sum(r => r.Usage.ClientCpuSeconds) * 1000 / calls,
            runs.Max(r => r.Usage.TreeResidentBytes),
            runs[0].Usage.GatewayResidentBytes is null ? null : runs.Max(r => r.Usage.GatewayResidentBytes ?? 0),
            runs.Max(r => r.Usage.TreeProcesses));
    }

    /// <summary>Nearest rank.</summary>
    static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}
