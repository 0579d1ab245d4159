using System.Text.Json.Nodes;

namespace McpOrch.BatchBench.Scenarios;

/// <summary>
/// A DAG of fixed-latency steps with its ideal figures: the critical path (the longest chain of latencies, what a
/// perfect orchestrator takes) and the sequential sum (what running the calls one after another takes).
/// </summary>
public sealed record Scenario(string Key, string Title, IReadOnlyList<BenchStep> Steps)
{
    /// <summary>The MCP server name of the test server in every mcp-config.json of the benchmark.</summary>
    public const string Server = "t";

    /// <summary>
    /// The steps of the longest chain of latencies, first to last; of chains equally long, the one with the most steps
    /// (a 0 ms join still is a hop). Steps are listed after their dependencies.
    /// </summary>
    public IReadOnlyList<BenchStep> CriticalPath
    {
        get
        {
            var longest = new Dictionary<string, IReadOnlyList<BenchStep>>();
            foreach (var step in Steps)
                longest[step.Id] = [.. step.After.Select(id => longest[id]).MaxBy(Length) ?? [], step];
            return longest.Values.MaxBy(Length)!;
        }
    }

    public int CriticalPathMs => Milliseconds(CriticalPath);

    /// <summary>Sequential hops on the critical path: each is one dispatch by the orchestrator.</summary>
    public int CriticalHops => CriticalPath.Count;

    public int SequentialSumMs => Steps.Sum(s => s.LatencyMs * Calls(s));

    public BenchStep Step(string id) => Steps.Single(s => s.Id == id);

    /// <summary>The plan of <c>POST /batch/execute</c>: every dependency is a reference in the arguments.</summary>
    public JsonObject Plan() => new()
    {
        ["steps"] = new JsonArray([.. Steps.Select(PlanStep)]),
    };

    int Calls(BenchStep step) => step.ForEachOver is { } list ? Step(list).ListCount!.Value : 1;

    static int Milliseconds(IReadOnlyList<BenchStep> chain) => chain.Sum(s => s.LatencyMs);

    static (int Ms, int Steps) Length(IReadOnlyList<BenchStep> chain) => (Milliseconds(chain), chain.Count);

    static JsonObject PlanStep(BenchStep step)
    {
        if (step.ListCount is { } count)
            return new() { ["id"] = step.Id, ["tool"] = $"{Server}.make_list", ["args"] = new JsonObject { ["count"] = count } };
        var sleep = new JsonObject { ["id"] = step.Id, ["tool"] = $"{Server}.sleep_echo" };
        if (step.ForEachOver is { } list)
        {
            sleep["forEach"] = $"${{{list}.items}}";
            sleep["as"] = "item";
            sleep["args"] = new JsonObject { ["ms"] = step.LatencyMs, ["value"] = $"{step.Id}: ${{item.n}}" };
        }
        else
            sleep["args"] = new JsonObject { ["ms"] = step.LatencyMs, ["value"] = step.EchoText(id => $"${{{id}}}") };
        return sleep;
    }
}
