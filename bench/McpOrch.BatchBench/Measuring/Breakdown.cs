using System.Text.Json.Nodes;
using McpOrch.BatchBench.Scenarios;

namespace McpOrch.BatchBench.Measuring;

/// <summary>
/// The run's time beyond its tools' latencies, along the chain that decided its end: the step that finished last, the
/// dependency of it that finished last, and so on back to a first step. For the scenarios here that chain is a critical
/// path, so the three parts add up to wall time − critical path.
/// </summary>
/// <param name="DispatchMs">Summed over the chain: from the run's creation (first step) or the dependency finishing to the step starting
/// (taken by an executor) — the scheduling hand-over.</param>
/// <param name="InStepMs">Summed over the chain: the step's duration (started → stored) minus its tool's latency — reading inputs, the
/// MCP call itself, storing the outcome.</param>
/// <param name="FinishMs">From the last step's outcome being stored to the run's completed_at.</param>
/// <param name="Hops">Steps on the chain.</param>
public sealed record Breakdown(double DispatchMs, double InStepMs, double FinishMs, int Hops)
{
    /// <summary>Reads the breakdown from a finished run's <c>GET /batch/status</c>.</summary>
    public static Breakdown From(Scenario scenario, JsonObject status)
    {
        var steps = status["steps"]!.AsArray().Select(s => s!.AsObject())
            .ToDictionary(s => s["id"]!.GetValue<string>(), s => (Started: Time(s["started_at"]), Completed: Time(s["completed_at"])));
        var (dispatch, inStep, hops) = (0.0, 0.0, 0);
        var last = steps.MaxBy(s => s.Value.Completed).Key;
        for (string? id = last; id is not null; hops++)
        {
            var step = scenario.Step(id);
            var previous = step.After.MaxBy(d => steps[d].Completed);
            var ready = previous is null ? Time(status["created_at"]) : steps[previous].Completed;
            dispatch += (steps[id].Started - ready).TotalMilliseconds;
            inStep += (steps[id].Completed - steps[id].Started).TotalMilliseconds - step.LatencyMs;
            id = previous;
        }
        return new Breakdown(dispatch, inStep, (Time(status["completed_at"]) - steps[last].Completed).TotalMilliseconds, hops);
    }

    static DateTime Time(JsonNode? node) => node?.GetValue<DateTime>() ?? throw new InvalidOperationException("a finished run's step has no timestamp");
}
