namespace McpOrch.BatchBench.Scenarios;

/// <summary>The three shapes. Joins take 0 ms: they only gather what the steps before them produced.</summary>
public static class BenchScenarios
{
    public static readonly IReadOnlyList<Scenario> All = [FanOut(), Chains(), ForEach()];

    /// <summary>LLMCompiler's movie recommendation: eight independent 200 ms searches, then one step that takes all eight.</summary>
    static Scenario FanOut()
    {
        var searches = Enumerable.Range(1, 8).Select(i => BenchStep.Sleep($"search{i}", 200)).ToList();
        return new("fanout", "8 × 200 ms independent + join", [.. searches, BenchStep.Sleep("join", 0, [.. searches.Select(s => s.Id)])]);
    }

    /// <summary>ParallelQA's depth-3 shape, four times side by side: search (200 ms) → math (100 ms) → math (100 ms), then a join.</summary>
    static Scenario Chains()
    {
        var steps = new List<BenchStep>();
        for (var i = 1; i <= 4; i++)
            steps.AddRange([BenchStep.Sleep($"search{i}", 200), BenchStep.Sleep($"math{i}a", 100, $"search{i}"), BenchStep.Sleep($"math{i}b", 100, $"math{i}a")]);
        return new("chains", "4 × (search 200 → math 100 → math 100) + join", [.. steps, BenchStep.Sleep("join", 0, [.. Enumerable.Range(1, 4).Select(i => $"math{i}b")])]);
    }

    /// <summary>One forEach step of 100 calls of 50 ms over the items of make_list(100).</summary>
    static Scenario ForEach() =>
        new("foreach", "forEach of 100 × 50 ms over make_list(100)", [BenchStep.List("list", 100), BenchStep.ForEach("each", "list", 50)]);
}
