namespace McpOrch.BatchBench.Measuring;

/// <summary>One run of a scenario.</summary>
/// <param name="WallMs">What the report calls wall time: for MCP Orch the run's own <c>completed_at − created_at</c>; for the
/// direct baseline the stopwatch around the DAG.</param>
/// <param name="ClientMs">As the client saw it: from sending the request to reading the run's last event (for the baseline, the same
/// as <paramref name="WallMs"/>).</param>
/// <param name="Breakdown">Where the time beyond the critical path went, from the steps' timestamps; null for the baseline.</param>
public sealed record RunTiming(double WallMs, double ClientMs, Breakdown? Breakdown);
