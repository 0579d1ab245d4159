using System.Globalization;
using System.Text;
using McpOrch.BatchBench.Measuring;

namespace McpOrch.BatchBench.Report;

/// <summary>The run as markdown: wall time against the ideals, where MCP Orch's extra time goes, and the targets.</summary>
public static class MarkdownReport
{
    /// <summary>The issue's targets: wall time within 10 % of the critical path, and the overhead per step by form.</summary>
    const double WallTarget = 1.10;
    static readonly IReadOnlyList<string> WallTargetScenarios = ["fanout", "chains"];
    static readonly IReadOnlyDictionary<string, double> OverheadTargetMs = new Dictionary<string, double> { ["single"] = 1, ["distributed"] = 5 };

    public static string Render(BatchBenchOptions options, string machine, string loadBefore, DateTimeOffset started, IReadOnlyList<Measurement> measurements)
    {
        var summaries = Summary.From(measurements);
        var text = new StringBuilder();
        text.AppendLine($"### Run of {started:yyyy-MM-dd HH:mm zzz}").AppendLine();
        text.AppendLine($"- Machine: {machine}; load average {loadBefore} before, {Machine.Load()} after.");
        text.AppendLine($"- {options.Runs} measured runs per scenario and path, after {options.Warmup} warm-up runs; the direct baseline ran beside each form, its runs pooled. " +
            $"MCP Orch with McpOrch__Execution__MaxParallelTasks={options.MaxParallelTasks}, otherwise as built; the distributed form with 1 Planner.Worker and {options.Executors} Executor.Worker processes.");
        text.AppendLine("- Wall time: MCP Orch's own `completed_at − created_at` of the run (`GET /batch/status`); the baseline's stopwatch around the DAG. " +
            "Client: `POST /batch/execute` sent → the run's last event read from `GET /batch/events`. Overhead per step = (median wall − critical path) / steps on the critical path.").AppendLine();

        text.AppendLine("| scenario | path | critical path ms (steps) | sequential sum ms | wall p50 ms | p90 | max | wall / critical path | overhead per step ms | client p50 ms |");
        text.AppendLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var s in summaries.OrderBy(s => options.Scenarios.ToList().IndexOf(s.Scenario)))
            text.AppendLine($"| {s.Scenario.Title} | {s.Path} | {s.Scenario.CriticalPathMs} ({s.Scenario.CriticalHops}) | {s.Scenario.SequentialSumMs} | {Ms(s.WallP50)} | {Ms(s.WallP90)} | {Ms(s.WallMax)} | " +
                $"{Times(s.Ratio)} | {Ms(s.OverheadPerStepMs)} | {Ms(s.ClientP50)} |");
        text.AppendLine();

        text.AppendLine("Where MCP Orch's time beyond the critical path goes (medians of the runs, from the steps' `started_at` and `completed_at`, along the chain of steps that ended last): " +
            "*dispatch* — from the run's creation or the step's last dependency finishing to an executor taking the step; *in step* — the step's duration minus its tool's latency; *end* — from the last step's outcome to the run's `completed_at`. " +
            "The last column pools the dispatch of every step of every run, on the chain or not.").AppendLine();
        text.AppendLine("| scenario | form | dispatch ms per step | in step ms per step | end ms | steps | dispatch of every step: p50 / p90 / max ms |").AppendLine("|---|---|--:|--:|--:|--:|--:|");
        foreach (var s in summaries.Where(s => s.Chain is not null).OrderBy(s => options.Scenarios.ToList().IndexOf(s.Scenario)))
        {
            var c = s.Chain!;
            text.AppendLine($"| {s.Scenario.Title} | {s.Path} | {Ms(c.DispatchPerStepMs)} | {Ms(c.InStepPerStepMs)} | {Ms(c.FinishMs)} | {c.Hops} | " +
                $"{Ms(c.EveryDispatchP50)} / {Ms(c.EveryDispatchP90)} / {Ms(c.EveryDispatchMax)} |");
        }
        text.AppendLine();

        Targets(text, options, summaries);
        return text.ToString();
    }

    static void Targets(StringBuilder text, BatchBenchOptions options, IReadOnlyList<Summary> summaries)
    {
        var baseline = summaries.Where(s => s.Form is null).ToDictionary(s => s.Scenario.Key);
        var forms = summaries.Where(s => s.Form is not null).ToList();
        text.AppendLine("| target | scenario | " + string.Join(" | ", forms.Select(s => s.Path).Distinct()) + " | direct baseline (for reference) |");
        text.AppendLine("|---|---|" + string.Concat(forms.Select(s => s.Path).Distinct().Select(_ => "---|")) + "---|");
        foreach (var scenario in options.Scenarios)
        {
            var row = forms.Where(s => s.Scenario == scenario).ToList();
            if (WallTargetScenarios.Contains(scenario.Key))
                text.AppendLine($"| wall ≤ {Times(WallTarget)} critical path | {scenario.Title} | " +
                    string.Join(" | ", row.Select(s => $"{Verdict(s.Ratio <= WallTarget)} {Times(s.Ratio)}")) + $" | {Times(baseline[scenario.Key].Ratio)} |");
            text.AppendLine($"| overhead per step < {string.Join(" / ", OverheadTargetMs.Select(t => $"{t.Value} ms {t.Key}"))} | {scenario.Title} | " +
                string.Join(" | ", row.Select(s => $"{Verdict(s.OverheadPerStepMs < OverheadTargetMs[s.Form!])} {Ms(s.OverheadPerStepMs)} ms")) +
                $" | {Ms(baseline[scenario.Key].OverheadPerStepMs)} ms |");
        }
        text.AppendLine();
    }

    static string Verdict(bool met) => met ? "**PASS**" : "**MISS**";

    static string Ms(double ms) => ms.ToString(Math.Abs(ms) >= 100 ? "0" : Math.Abs(ms) >= 10 ? "0.0" : "0.00", CultureInfo.InvariantCulture);

    static string Times(double ratio) => ratio.ToString("0.00", CultureInfo.InvariantCulture) + "×";
}
