using McpOrch.Core.Plans;

namespace McpOrch.Core.Runs;

/// <summary>Which steps of a run can start, which never will, and whether the run is over: the DAG's rules in one place.</summary>
public static class RunScheduler
{
    /// <summary>Pending steps whose every dependency has succeeded.</summary>
    public static IReadOnlyList<PlanStep> Ready(Plan plan, IReadOnlyDictionary<string, StepState> states) =>
        [.. plan.Steps.Where(s => states[s.Id] == StepState.Pending && s.Dependencies.All(d => states[d] == StepState.Succeeded))];

    /// <summary>Pending steps that can never run because a dependency failed, was skipped or was cancelled.</summary>
    public static IReadOnlyList<PlanStep> Blocked(Plan plan, IReadOnlyDictionary<string, StepState> states) =>
        [.. plan.Steps.Where(s => states[s.Id] == StepState.Pending
            && s.Dependencies.Any(d => states[d] is StepState.Failed or StepState.Skipped or StepState.Canceled))];

    /// <summary>Whether no step is pending or running any more.</summary>
    public static bool IsFinished(IReadOnlyDictionary<string, StepState> states) =>
        states.Values.All(s => s is not (StepState.Pending or StepState.Running));
}
