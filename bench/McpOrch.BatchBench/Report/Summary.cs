using McpOrch.BatchBench.Measuring;
using McpOrch.BatchBench.Scenarios;

namespace McpOrch.BatchBench.Report;

/// <summary>
/// The measured runs of one scenario on one path: wall time percentiles (nearest rank), and the medians of the
/// client-observed time and of each part of the breakdown.
/// </summary>
public sealed record Summary(string Path, string? Form, Scenario Scenario, int Runs, double WallP50, double WallP90, double WallMax, double ClientP50,
    Breakdown? MedianBreakdown)
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
        return new Summary(runs[0].Path, runs[0].Form, runs[0].Scenario, runs.Count, P(t => t.WallMs, 0.5), P(t => t.WallMs, 0.9), P(t => t.WallMs, 1), P(t => t.ClientMs, 0.5),
            breakdowns.Count == 0 ? null : new Breakdown(Median(b => b.DispatchMs), Median(b => b.InStepMs), Median(b => b.FinishMs), breakdowns[0].Hops));
    }

    /// <summary>Nearest rank: the value that <paramref name="p"/> of the runs do not exceed.</summary>
    static double Percentile(IReadOnlyList<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
