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
/// <param name="EveryDispatchMs">The dispatch time of every step of the run, on the chain or not.</param>
public sealed record Breakdown(double DispatchMs, double InStepMs, double FinishMs, int Hops, IReadOnlyList<double> EveryDispatchMs)
{
    /// <summary>Reads the breakdown from a finished run's <c>GET /batch/status</c>.</summary>
    public static Breakdown From(Scenario scenario, JsonObject status)
    {
        var steps = status["steps"]!.AsArray().Select(s => s!.AsObject())
            .ToDictionary(s => s["id"]!.GetValue<string>(), s => (Started: Time(s["started_at"]), Completed: Time(s["completed_at"])));
        var created = Time(status["created_at"]);
        string? LastDependency(string id) => scenario.Step(id).After.MaxBy(d => steps[d].Completed);
        double Dispatch(string id) => (steps[id].Started - (LastDependency(id) is { } previous ? steps[previous].Completed : created)).TotalMilliseconds;

        var (dispatch, inStep, hops) = (0.0, 0.0, 0);
        var last = steps.MaxBy(s => s.Value.Completed).Key;
        for (string? id = last; id is not null; id = LastDependency(id), hops++)
        {
            dispatch += Dispatch(id);
            inStep += (steps[id].Completed - steps[id].Started).TotalMilliseconds - scenario.Step(id).LatencyMs;
        }
        return new Breakdown(dispatch, inStep, (Time(status["completed_at"]) - steps[last].Completed).TotalMilliseconds, hops, [.. steps.Keys.Select(Dispatch)]);
    }

    static DateTime Time(JsonNode? node) => node?.GetValue<DateTime>() ?? throw new InvalidOperationException("a finished run's step has no timestamp");
}
