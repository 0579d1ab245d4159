namespace McpOrch.BatchBench.Report;

/// <summary>
/// MCP Orch's runs of a scenario: the median of each part of <see cref="Measuring.Breakdown"/> (dispatch and in-step per
/// step of the chain, the end once), and percentiles of the dispatch of every step of every run.
/// </summary>
public sealed record ChainSummary(double DispatchPerStepMs, double InStepPerStepMs, double FinishMs, int Hops,
    double EveryDispatchP50, double EveryDispatchP90, double EveryDispatchMax);
