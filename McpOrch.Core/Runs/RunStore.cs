using McpOrch.Core.Plans;
using Microsoft.EntityFrameworkCore;

namespace McpOrch.Core.Runs;

/// <summary>
/// The run and step transitions every service makes, each one a single database statement or transaction, so that
/// several planners and executors can share the work without a step ever starting twice.
/// </summary>
public sealed class RunStore(OrchDbContext db, TimeProvider time)
{
    DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>Stores a new run, Pending, for a request or for an explicit plan.</summary>
    public async Task<RunRecord> CreateAsync(string? request, Plan? plan, CancellationToken cancellationToken)
    {
        var run = new RunRecord { Id = Guid.CreateVersion7(), Request = request, State = RunState.Pending, CreatedAt = Now, UpdatedAt = Now };
        db.Runs.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        if (plan is not null)
            await SetPlanAsync(run.Id, plan, cancellationToken);
        return run;
    }

    /// <summary>Records the plan and a Pending row per step, and moves the run to Running, in one transaction.</summary>
    public async Task SetPlanAsync(Guid runId, Plan plan, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var run = await db.Runs.Include(r => r.Steps).SingleAsync(r => r.Id == runId, cancellationToken);
        run.Plan = System.Text.Json.JsonSerializer.Serialize(plan, Plan.JsonOptions);
        run.State = RunState.Running;
        run.UpdatedAt = Now;
        var known = run.Steps.Select(s => s.StepId).ToHashSet(StringComparer.Ordinal);
        // A replan keeps the steps that exist and adds the new ones.
        foreach (var step in plan.Steps.Where(s => !known.Contains(s.Id)))
            run.Steps.Add(new StepRecord { RunId = runId, StepId = step.Id, Tool = step.Tool, State = StepState.Pending });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Moves a Pending step to Running. Only one caller gets true, however many try at once: the database decides
    /// with one conditional update.
    /// </summary>
    public async Task<bool> TryStartStepAsync(Guid runId, string stepId, CancellationToken cancellationToken) =>
        await db.Steps
            .Where(s => s.RunId == runId && s.StepId == stepId && s.State == StepState.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.State, StepState.Running).SetProperty(x => x.StartedAt, Now), cancellationToken) == 1;

    /// <summary>Records a Running step's outcome; false when the step was not Running (already finished, or cancelled).</summary>
    public async Task<bool> FinishStepAsync(Guid runId, string stepId, StepOutcome outcome, int attempts, CancellationToken cancellationToken)
    {
        var state = outcome.Succeeded ? StepState.Succeeded : StepState.Failed;
        var output = outcome.Succeeded ? outcome.Output?.ToJsonString() ?? "null" : null;
        return await db.Steps
            .Where(s => s.RunId == runId && s.StepId == stepId && s.State == StepState.Running)
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.State, state)
                .SetProperty(x => x.Output, output)
                .SetProperty(x => x.Error, outcome.Error)
                .SetProperty(x => x.Attempts, attempts)
                .SetProperty(x => x.CompletedAt, Now), cancellationToken) == 1;
    }

    /// <summary>The run with its steps, or null.</summary>
    public Task<RunRecord?> FindAsync(Guid runId, CancellationToken cancellationToken) =>
        db.Runs.AsNoTracking().Include(r => r.Steps).SingleOrDefaultAsync(r => r.Id == runId, cancellationToken);
}
