using McpOrch.BatchBench.Scenarios;

namespace McpOrch.BatchBench.Measuring;

/// <summary>A way of running a scenario's DAG: MCP Orch in one of its forms, or the direct baseline.</summary>
public interface IScenarioPath : IAsyncDisposable
{
    string Name { get; }

    /// <summary>The MCP Orch form (<c>single</c>, <c>distributed</c>); null for the direct baseline.</summary>
    string? Form { get; }

    /// <summary>Runs the scenario once, to the end; a run that does not complete is an exception naming the reason.</summary>
    Task<RunTiming> RunAsync(Scenario scenario, CancellationToken cancellationToken);
}
