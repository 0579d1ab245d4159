using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpOrch.Core.Plans;
using McpOrch.Core.Security;
using Microsoft.EntityFrameworkCore;

namespace McpOrch.Core.Runs;

/// <summary>
/// The run and step transitions every service makes, each one a conditional database statement or a transaction,
/// so that several planners and executors can share the work without a step ever running twice.
/// </summary>
/// <remarks>
/// Transactions that decide about a whole run (<see cref="SetPlanAsync"/>, <see cref="ScheduleAsync"/>,
/// <see cref="CancelAsync"/>) first update the run's row: that takes its row lock in PostgreSQL (the write lock in
/// SQLite) until commit, so they never interleave for one run, whichever process makes them. On PostgreSQL the context
/// retries what a lost connection interrupted (a database restart): each transaction is one unit it may run again.
/// </remarks>
public sealed class RunStore(OrchDbContext db, TimeProvider time)
{
    DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>
    /// Stores a new run: Pending for a request (a planner should take it within <paramref name="lease"/>), or
    /// Running with a Pending row per step for an explicit plan.
    /// </summary>
    public async Task<RunRecord> CreateAsync(string? request, Plan? plan, TimeSpan lease, CancellationToken cancellationToken, Caller? caller = null)
    {
        var now = Now;
        var run = new RunRecord
        {
            Id = Guid.CreateVersion7(), Request = request, State = RunState.Pending, CreatedAt = now, UpdatedAt = now, LeaseUntil = now + lease,
            Caller = caller?.ToJson(), Owner = caller?.Id, TraceParent = Activity.Current?.Id,
        };
        if (plan is not null)
        {
            run.Plan = JsonSerializer.Serialize(plan, Plan.JsonOptions);
            run.State = RunState.Running;
            run.LeaseUntil = null;
            run.Steps.AddRange(NewSteps(run.Id, plan.Steps, generation: 0));
        }
        db.Runs.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        return run;
    }

    /// <summary>
    /// Takes a run in <paramref name="state"/> for model work (planning, replanning, answering) and moves it to
    /// <paramref name="newState"/>: only one caller gets true while the claim is held, and a claim whose holder
    /// stopped renewing it lapses after <paramref name="lease"/>. A Pending run can always be taken.
    /// </summary>
    public async Task<bool> TryLeaseRunAsync(Guid runId, RunState state, RunState newState, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = Now;
        return await db.Runs
            .Where(r => r.Id == runId && r.State == state && (r.State == RunState.Pending || r.LeaseUntil == null || r.LeaseUntil < now))
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.State, newState)
                .SetProperty(r => r.LeaseUntil, now + lease)
                .SetProperty(r => r.UpdatedAt, now), cancellationToken) == 1;
    }

    /// <summary>Extends a claim taken with <see cref="TryLeaseRunAsync"/>; false when the run left <paramref name="state"/> (cancelled, say).</summary>
    public async Task<bool> RenewRunLeaseAsync(Guid runId, RunState state, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = Now;
        return await db.Runs.Where(r => r.Id == runId && r.State == state && r.LeaseUntil != null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.LeaseUntil, now + lease), cancellationToken) == 1;
    }

    /// <summary>
    /// Records the plan (the first one, or a replan that extends it), adds a Pending row per new step, releases the
    /// claim and moves the run to Running. False when the run was cancelled or ended meanwhile.
    /// </summary>
    public Task<bool> SetPlanAsync(Guid runId, Plan plan, CancellationToken cancellationToken) =>
        InTransactionAsync(async cancellationToken =>
        {
            if (!await LockRunAsync(runId, [RunState.Planning, RunState.Running], cancellationToken))
                return false;
            var run = await db.Runs.Include(r => r.Steps).SingleAsync(r => r.Id == runId, cancellationToken);
            var generation = run.Plan is null ? 0 : run.Replans + 1;
            var known = run.Steps.Select(s => s.StepId).ToHashSet(StringComparer.Ordinal);
            run.Steps.AddRange(NewSteps(runId, plan.Steps.Where(s => !known.Contains(s.Id)), generation));
            run.Plan = JsonSerializer.Serialize(plan, Plan.JsonOptions);
            run.Replans = generation;
            run.State = RunState.Running;
            run.LeaseUntil = null;
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }, cancellationToken);

    /// <summary>What <see cref="ScheduleAsync"/> did.</summary>
    /// <param name="Skipped">Steps that can never run, now Skipped, with the reason.</param>
    /// <param name="Dispatched">Steps that just became ready, now Running, with their dispatch number: send each to an executor.</param>
    /// <param name="Finished">Whether no step is pending or running any more.</param>
    public sealed record Schedule(IReadOnlyList<(string StepId, string Reason)> Skipped, IReadOnlyList<(string StepId, int Dispatch)> Dispatched,
        bool Finished);

    /// <summary>
    /// Applies the DAG's rules to a Running run: skips the steps a failure blocked, and moves every ready step to
    /// Running with a new dispatch number, to be taken by an executor within <see cref="UnclaimedFor"/>(<paramref name="lease"/>).
    /// Null when the run is not Running.
    /// </summary>
    /// <remarks>
    /// A first look without the lock decides whether there is anything to do: when several steps of a run finish at
    /// once, only the passes that find work queue on the run's row, the others return at once. The look sees every
    /// outcome committed before it, and a step's outcome is committed before its finish is announced, so the pass
    /// after the last finish always finds the work.
    /// </remarks>
    public async Task<Schedule?> ScheduleAsync(Guid runId, TimeSpan lease, CancellationToken cancellationToken)
    {
        var plan = await db.Runs.Where(r => r.Id == runId && r.State == RunState.Running).Select(r => r.Plan).SingleOrDefaultAsync(cancellationToken);
        if (plan is null)
            return null;
        // The plan changes only in SetPlanAsync, under the lock, which schedules the run itself afterwards.
        var dag = Plan.Parse(plan);
        var seen = (await StepStatesAsync(runId, cancellationToken)).ToDictionary(s => s.Key, s => s.Value.State, StringComparer.Ordinal);
        if (RunScheduler.Blocked(dag, seen).Count == 0 && RunScheduler.Ready(dag, seen).Count == 0 && !RunScheduler.IsFinished(seen))
            return new Schedule([], [], Finished: false);

        return await InTransactionAsync(async cancellationToken =>
        {
            if (!await LockRunAsync(runId, [RunState.Running], cancellationToken))
                return null;
            var steps = await StepStatesAsync(runId, cancellationToken);
            var states = steps.ToDictionary(s => s.Key, s => s.Value.State, StringComparer.Ordinal);
            var now = Now;

            var skipped = new List<(string StepId, string Reason)>();
            // Skipping cascades: a step after a skipped one is blocked too.
            for (var blocked = RunScheduler.Blocked(dag, states); blocked.Count > 0; blocked = RunScheduler.Blocked(dag, states))
                foreach (var step in blocked)
                {
                    var cause = step.Dependencies.First(d => states[d] is StepState.Failed or StepState.Skipped or StepState.Canceled);
                    var reason = $"not run: step '{cause}' it depends on {states[cause].ToString().ToLowerInvariant()}.";
                    await db.Steps.Where(s => s.RunId == runId && s.StepId == step.Id && s.State == StepState.Pending)
                        .ExecuteUpdateAsync(s => s.SetProperty(x => x.State, StepState.Skipped)
                            .SetProperty(x => x.Error, reason).SetProperty(x => x.CompletedAt, now), cancellationToken);
                    states[step.Id] = StepState.Skipped;
                    skipped.Add((step.Id, reason));
                }

            var ready = RunScheduler.Ready(dag, states).Select(s => s.Id).ToList();
            if (ready.Count > 0)
                await db.Steps.Where(s => s.RunId == runId && ready.Contains(s.StepId) && s.State == StepState.Pending)
                    .ExecuteUpdateAsync(s => s
                        .SetProperty(x => x.State, StepState.Running)
                        .SetProperty(x => x.Dispatch, x => x.Dispatch + 1)
                        .SetProperty(x => x.Owner, (string?)null)
                        .SetProperty(x => x.LeaseUntil, now + UnclaimedFor(lease)), cancellationToken);
            foreach (var id in ready)
                states[id] = StepState.Running;
            return new Schedule(skipped, [.. ready.Select(id => (id, steps[id].Dispatch + 1))], RunScheduler.IsFinished(states));
        }, cancellationToken);
    }

    /// <summary>
    /// Each step's state and dispatch number. A projection, not entities: a second read in the same context must see
    /// the database, not tracked copies.
    /// </summary>
    async Task<Dictionary<string, (StepState State, int Dispatch)>> StepStatesAsync(Guid runId, CancellationToken cancellationToken) =>
        await db.Steps.Where(s => s.RunId == runId).Select(s => new { s.StepId, s.State, s.Dispatch })
            .ToDictionaryAsync(s => s.StepId, s => (s.State, s.Dispatch), StringComparer.Ordinal, cancellationToken);

    /// <summary>
    /// An executor takes dispatch <paramref name="dispatch"/> of a step. False for a duplicate or stale message: the
    /// step was taken already, re-dispatched, or cancelled.
    /// </summary>
    public async Task<bool> TryClaimStepAsync(Guid runId, string stepId, int dispatch, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = Now;
        return await db.Steps
            .Where(s => s.RunId == runId && s.StepId == stepId && s.State == StepState.Running && s.Dispatch == dispatch && s.Owner == null)
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Owner, owner)
                .SetProperty(x => x.LeaseUntil, now + lease)
                .SetProperty(x => x.StartedAt, now), cancellationToken) == 1;
    }

    /// <summary>The executor's sign of life; false when the step is no longer its own (cancelled, or given to another).</summary>
    public async Task<bool> RenewStepLeaseAsync(Guid runId, string stepId, int dispatch, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = Now;
        return await db.Steps
            .Where(s => s.RunId == runId && s.StepId == stepId && s.State == StepState.Running && s.Dispatch == dispatch && s.Owner == owner)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LeaseUntil, now + lease), cancellationToken) == 1;
    }

    /// <summary>An executor that stops gives its step back: the lease ends now, and the recovery loop re-dispatches it.</summary>
    public async Task ReleaseStepAsync(Guid runId, string stepId, int dispatch, string owner, CancellationToken cancellationToken)
    {
        var now = Now;
        await db.Steps
            .Where(s => s.RunId == runId && s.StepId == stepId && s.State == StepState.Running && s.Dispatch == dispatch && s.Owner == owner)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LeaseUntil, now), cancellationToken);
    }

    /// <summary>
    /// Records the outcome of dispatch <paramref name="dispatch"/> of a Running step; false when that dispatch is not
    /// current any more (the step finished, was cancelled, or was given to another executor).
    /// </summary>
    public async Task<bool> FinishStepAsync(Guid runId, string stepId, int dispatch, StepOutcome outcome, int attempts, CancellationToken cancellationToken)
    {
        var state = outcome.Succeeded ? StepState.Succeeded : StepState.Failed;
        var output = outcome.Succeeded ? outcome.Output?.ToJsonString() ?? "null" : null;
        var now = Now;
        return await db.Steps
            .Where(s => s.RunId == runId && s.StepId == stepId && s.State == StepState.Running && s.Dispatch == dispatch)
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.State, state)
                .SetProperty(x => x.Output, output)
                .SetProperty(x => x.Error, outcome.Error)
                .SetProperty(x => x.Attempts, x => x.Attempts + attempts)
                .SetProperty(x => x.LeaseUntil, (DateTime?)null)
                .SetProperty(x => x.CompletedAt, now), cancellationToken) == 1;
    }

    /// <summary>
    /// How long a dispatched step may wait for an executor before its message is taken for lost: a minute, or the step
    /// lease when that is longer. Waiting is not an executor lost: executors take steps as they have room, and under a
    /// backlog, or on a busy machine, that takes longer than a lease.
    /// </summary>
    /// <summary>
    /// Whether <paramref name="exception"/> says the database is away (restarting, unreachable, refusing connections)
    /// rather than that the operation is wrong: worth trying again.
    /// </summary>
    public static bool IsDatabaseAway(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
            // SQLSTATE classes 08 (connection exception) and 57P (the server shutting down or starting).
            if (e is DbException database && (database.IsTransient || database.SqlState is { } state && (state.StartsWith("08", StringComparison.Ordinal)
                    || state.StartsWith("57P", StringComparison.Ordinal))))
                return true;
        return false;
    }

    public static TimeSpan UnclaimedFor(TimeSpan lease) => lease > TimeSpan.FromMinutes(1) ? lease : TimeSpan.FromMinutes(1);

    /// <summary>
    /// Running steps whose lease ran out, oldest first: claimed ones whose executor showed no sign of life within the
    /// lease, and unclaimed ones that waited <see cref="UnclaimedFor"/> for an executor.
    /// </summary>
    public async Task<IReadOnlyList<LapsedStep>> LapsedStepsAsync(int limit, CancellationToken cancellationToken)
    {
        var now = Now;
        var steps = await db.Steps.AsNoTracking()
            .Where(s => s.State == StepState.Running && s.LeaseUntil < now)
            .OrderBy(s => s.LeaseUntil).Take(limit)
            .Join(db.Runs, s => s.RunId, r => r.Id, (s, r) => new { s.RunId, s.StepId, s.Dispatch, Claimed = s.Owner != null, r.TraceParent })
            .ToListAsync(cancellationToken);
        return [.. steps.Select(s => new LapsedStep(s.RunId, s.StepId, s.Dispatch, s.Claimed, s.TraceParent))];
    }

    /// <summary>Gives a claimed step whose lease lapsed a new dispatch number; false when it is not lapsed any more.</summary>
    public async Task<bool> RedispatchAsync(Guid runId, string stepId, int dispatch, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = Now;
        return await db.Steps
            .Where(s => s.RunId == runId && s.StepId == stepId && s.State == StepState.Running && s.Dispatch == dispatch && s.LeaseUntil < now)
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Dispatch, dispatch + 1)
                .SetProperty(x => x.Owner, (string?)null)
                .SetProperty(x => x.LeaseUntil, now + UnclaimedFor(lease)), cancellationToken) == 1;
    }

    /// <summary>
    /// An unclaimed step waited <see cref="UnclaimedFor"/>: it waits as long again, and its message is to be published
    /// again with the same dispatch number (whichever copy an executor gets first is taken, the other dropped). False
    /// when it was taken or changed meanwhile.
    /// </summary>
    public async Task<bool> RepublishAsync(Guid runId, string stepId, int dispatch, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = Now;
        return await db.Steps
            .Where(s => s.RunId == runId && s.StepId == stepId && s.State == StepState.Running && s.Dispatch == dispatch && s.Owner == null
                && s.LeaseUntil < now)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LeaseUntil, now + UnclaimedFor(lease)), cancellationToken) == 1;
    }

    /// <summary>
    /// Runs that need a planner's attention because a message or a worker was lost: Pending or Planning runs whose
    /// claim lapsed (plan them), and Running runs that nothing touched for <paramref name="idle"/> (schedule them).
    /// </summary>
    public async Task<(IReadOnlyList<(Guid Id, string? TraceParent)> ToPlan, IReadOnlyList<(Guid Id, string? TraceParent)> ToSchedule)> StaleRunsAsync(
        TimeSpan idle, int limit, CancellationToken cancellationToken)
    {
        var now = Now;
        var quiet = now - idle;
        var toPlan = await db.Runs.AsNoTracking()
            .Where(r => (r.State == RunState.Pending || r.State == RunState.Planning) && r.LeaseUntil < now)
            .OrderBy(r => r.CreatedAt).Take(limit).Select(r => new { r.Id, r.TraceParent }).ToListAsync(cancellationToken);
        var toSchedule = await db.Runs.AsNoTracking()
            .Where(r => r.State == RunState.Running && r.UpdatedAt < quiet && (r.LeaseUntil == null || r.LeaseUntil < now))
            .OrderBy(r => r.UpdatedAt).Take(limit).Select(r => new { r.Id, r.TraceParent }).ToListAsync(cancellationToken);
        return ([.. toPlan.Select(r => (r.Id, r.TraceParent))], [.. toSchedule.Select(r => (r.Id, r.TraceParent))]);
    }

    /// <summary>Ends a run that is in <paramref name="from"/>; false when it is not (cancelled meanwhile, say).</summary>
    public async Task<bool> EndRunAsync(Guid runId, RunState from, RunState state, string? answer, string? error, CancellationToken cancellationToken)
    {
        var now = Now;
        return await db.Runs.Where(r => r.Id == runId && r.State == from)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.State, state)
                .SetProperty(r => r.Answer, answer)
                .SetProperty(r => r.Error, error)
                .SetProperty(r => r.LeaseUntil, (DateTime?)null)
                .SetProperty(r => r.UpdatedAt, now)
                .SetProperty(r => r.CompletedAt, now), cancellationToken) == 1;
    }

    /// <summary>
    /// Cancels a run that has not ended, with its pending and running steps. Null when there is no such run;
    /// otherwise the run's state afterwards (Canceled, or the state it had already ended in) and whether this call
    /// cancelled it.
    /// </summary>
    public Task<(RunState State, bool Changed)?> CancelAsync(Guid runId, CancellationToken cancellationToken) =>
        InTransactionAsync<(RunState State, bool Changed)?>(async cancellationToken =>
        {
            if (!await LockRunAsync(runId, [RunState.Pending, RunState.Planning, RunState.Running], cancellationToken))
                return await db.Runs.Where(r => r.Id == runId).Select(r => (RunState?)r.State).SingleOrDefaultAsync(cancellationToken) is { } state
                    ? (state, false)
                    : null;
            var now = Now;
            await db.Steps.Where(s => s.RunId == runId && (s.State == StepState.Pending || s.State == StepState.Running))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.State, StepState.Canceled)
                    .SetProperty(x => x.LeaseUntil, (DateTime?)null)
                    .SetProperty(x => x.CompletedAt, now), cancellationToken);
            await db.Runs.Where(r => r.Id == runId)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(r => r.State, RunState.Canceled)
                    .SetProperty(r => r.LeaseUntil, (DateTime?)null)
                    .SetProperty(r => r.CompletedAt, now), cancellationToken);
            return (RunState.Canceled, true);
        }, cancellationToken);

    /// <summary>The run with its steps, or null.</summary>
    public Task<RunRecord?> FindAsync(Guid runId, CancellationToken cancellationToken) =>
        db.Runs.AsNoTracking().Include(r => r.Steps).SingleOrDefaultAsync(r => r.Id == runId, cancellationToken);

    /// <summary>The plan of a run and the caller it runs for, or null when it has no plan yet.</summary>
    public async Task<(Plan Plan, Caller Caller)?> FindPlanAsync(Guid runId, CancellationToken cancellationToken) =>
        await db.Runs.Where(r => r.Id == runId).Select(r => new { r.Plan, r.Caller }).SingleOrDefaultAsync(cancellationToken) is { Plan: { } plan } run
            ? (Plan.Parse(plan), Security.Caller.FromJson(run.Caller))
            : null;

    /// <summary>The outputs of the given steps of a run, by step id.</summary>
    public async Task<IReadOnlyDictionary<string, JsonNode?>> OutputsAsync(Guid runId, IReadOnlyCollection<string> stepIds, CancellationToken cancellationToken)
    {
        var outputs = await db.Steps.AsNoTracking()
            .Where(s => s.RunId == runId && stepIds.Contains(s.StepId))
            .Select(s => new { s.StepId, s.Output })
            .ToListAsync(cancellationToken);
        return outputs.ToDictionary(s => s.StepId, s => s.Output is null ? null : JsonNode.Parse(s.Output), StringComparer.Ordinal);
    }

    /// <summary>
    /// Runs, newest first, without their steps; only those in one of <paramref name="states"/> when some are given, and
    /// only those of <paramref name="owner"/> when one is given. Paged in the database in two reads: the page's ids, from
    /// an index on (CreatedAt, Id) led by the filter's column (Owner or State), then those runs, so that a page deep in
    /// the list (or of several states, which no index keeps in one order) sorts and skips keys, never whole runs.
    /// </summary>
    public async Task<(IReadOnlyList<RunRecord> Runs, int Total)> ListAsync(int skip, int take, IReadOnlyCollection<RunState> states,
        CancellationToken cancellationToken, string? owner = null)
    {
        var runs = db.Runs.AsNoTracking();
        if (owner is not null)
            runs = runs.Where(r => r.Owner == owner);
        if (states.Count > 0)
            runs = runs.Where(r => states.Contains(r.State));
        var total = await runs.CountAsync(cancellationToken);
        var ids = await runs.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Skip(skip).Take(take).Select(r => r.Id)
            .ToListAsync(cancellationToken);
        var page = await db.Runs.AsNoTracking().Where(r => ids.Contains(r.Id)).ToDictionaryAsync(r => r.Id, cancellationToken);
        // A run deleted between the two reads is left out.
        return ([.. ids.Where(page.ContainsKey).Select(id => page[id])], total);
    }

    /// <summary>
    /// Runs <paramref name="operation"/> in a transaction, committed when it returns, as a unit the context's execution
    /// strategy may run again: PostgreSQL's retries one that a lost connection or a failed commit interrupted (the
    /// transaction was rolled back), and refuses a transaction begun outside it. An attempt after the first starts from
    /// what the database holds: nothing the failed attempt loaded or added stays tracked, since what the change tracker
    /// took for saved was rolled back. (A commit that went through with only its answer lost looks failed too: the next
    /// attempt then finds the work done, and steps it would have dispatched are published again by the recovery loop.)
    /// </summary>
    async Task<T> InTransactionAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        var attempts = 0;
        return await db.Database.CreateExecutionStrategy().ExecuteAsync(async cancellationToken =>
        {
            if (attempts++ > 0)
                db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var result = await operation(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }, cancellationToken);
    }

    /// <summary>Takes the run's row lock (see the remarks) if the run is in one of <paramref name="states"/>.</summary>
    async Task<bool> LockRunAsync(Guid runId, RunState[] states, CancellationToken cancellationToken)
    {
        var now = Now;
        return await db.Runs.Where(r => r.Id == runId && states.Contains(r.State))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.UpdatedAt, now), cancellationToken) == 1;
    }

    static IEnumerable<StepRecord> NewSteps(Guid runId, IEnumerable<PlanStep> steps, int generation) =>
        steps.Select(step => new StepRecord { RunId = runId, StepId = step.Id, Tool = step.Tool, State = StepState.Pending, Generation = generation });
}
