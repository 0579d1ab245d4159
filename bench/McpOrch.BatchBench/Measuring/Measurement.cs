using McpOrch.BatchBench.Scenarios;

namespace McpOrch.BatchBench.Measuring;

/// <summary>One measured run of <paramref name="Scenario"/> on the path named <paramref name="Path"/>.</summary>
/// <param name="Form">The MCP Orch form; null for the direct baseline.</param>
public sealed record Measurement(string Path, string? Form, Scenario Scenario, int Run, RunTiming Timing);
