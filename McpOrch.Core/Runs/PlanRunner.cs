using System.Text.Json.Nodes;
using McpOrch.Core.Configuration;
using McpOrch.Core.Plans;

namespace McpOrch.Core.Runs;

/// <summary>
/// Runs a whole plan inside this process: every ready step starts at once, each finished step releases the steps
/// that waited for it, and a failed step skips the steps that needed it. The distributed form applies the same
/// <see cref="RunScheduler"/> rules to states kept in the database.
/// </summary>
public sealed class PlanRunner(StepRunner steps, ExecutionOptions execution)
{
    /// <summary>Every step's final state and outcome.</summary>
    public async Task<IReadOnlyDictionary<string, (StepState State, StepOutcome? Outcome)>> RunAsync(Plan plan, CancellationToken cancellationToken)
    {
        var states = plan.Steps.ToDictionary(s => s.Id, _ => StepState.Pending, StringComparer.Ordinal);
        var outcomes = new Dictionary<string, StepOutcome>(StringComparer.Ordinal);
        var outputs = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        var running = new Dictionary<Task<(StepOutcome Outcome, int Attempts)>, string>();
        using var slots = new SemaphoreSlim(execution.MaxParallelTasks);

        while (true)
        {
            foreach (var step in RunScheduler.Blocked(plan, states))
                states[step.Id] = StepState.Skipped;
            foreach (var step in RunScheduler.Ready(plan, states))
            {
                states[step.Id] = StepState.Running;
                var inputs = step.Dependencies.ToDictionary(d => d, d => outputs[d], StringComparer.Ordinal);
                running[steps.RunAsync(step, inputs, slots, cancellationToken)] = step.Id;
            }
            if (running.Count == 0)
                break;

            var done = await Task.WhenAny(running.Keys);
            var id = running[done];
            running.Remove(done);
            var (outcome, _) = await done;
            outcomes[id] = outcome;
            states[id] = outcome.Succeeded ? StepState.Succeeded : StepState.Failed;
            if (outcome.Succeeded)
                outputs[id] = outcome.Output;
        }
        return states.ToDictionary(s => s.Key, s => (s.Value, outcomes.GetValueOrDefault(s.Key)), StringComparer.Ordinal);
    }
}
