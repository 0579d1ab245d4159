using McpOrch.BatchBench.Measuring;
using McpOrch.BatchBench.Scenarios;

namespace McpOrch.BatchBench.Report;

/// <summary>
/// The measured runs of one scenario on one path: wall time percentiles (nearest rank), the median client-observed time,
/// and for MCP Orch the breakdown (the median of each part, per step of the chain) and every step's dispatch time pooled.
/// </summary>
public sealed record Summary(string Path, string? Form, Scenario Scenario, int Runs, double WallP50, double WallP90, double WallMax, double ClientP50,
    ChainSummary? Chain)
{
    /// <summary>Median wall time as a multiple of the critical path.</summary>
    public double Ratio => WallP50 / Scenario.CriticalPathMs;

    /// <summary>The scheduling overhead per step: (median wall − critical path) / steps on the critical path.</summary>
    public double OverheadPerStepMs => (WallP50 - Scenario.CriticalPathMs) / Scenario.CriticalHops;

    public static IReadOnlyList<Summary> From(IEnumerable<Measurement> measurements) =>
        [.. measurements.GroupBy(m => (m.Path, m.Scenario.Key)).Select(g => Of([.. g]))];

    static Summary Of(IReadOnlyList<Measurement> runs)
    {
        var timings = runs.Select(r => r.Timing).ToList();
        double P(Func<RunTiming, double> value, double p) => Percentile([.. timings.Select(value)], p);
        var breakdowns = timings.Select(t => t.Breakdown).OfType<Breakdown>().ToList();
        double Median(Func<Breakdown, double> part) => Percentile([.. breakdowns.Select(part)], 0.5);
        var dispatches = breakdowns.SelectMany(b => b.EveryDispatchMs).ToList();
        return new Summary(runs[0].Path, runs[0].Form, runs[0].Scenario, runs.Count, P(t => t.WallMs, 0.5), P(t => t.WallMs, 0.9), P(t => t.WallMs, 1), P(t => t.ClientMs, 0.5),
            breakdowns.Count == 0 ? null : new ChainSummary(Median(b => b.DispatchMs / b.Hops), Median(b => b.InStepMs / b.Hops), Median(b => b.FinishMs), breakdowns[0].Hops,
                Percentile(dispatches, 0.5), Percentile(dispatches, 0.9), Percentile(dispatches, 1)));
    }

    /// <summary>Nearest rank: the value that <paramref name="p"/> of the runs do not exceed.</summary>
    static double Percentile(IReadOnlyList<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
