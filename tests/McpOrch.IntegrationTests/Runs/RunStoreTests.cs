using System.Diagnostics;
using System.Text.Json.Nodes;
using McpOrch.Core.Plans;
using McpOrch.Core.Runs;
using McpOrch.IntegrationTests.Data;
using McpOrch.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace McpOrch.IntegrationTests.Runs;

/// <summary>
/// The run store on both databases it runs on: PostgreSQL (distributed, with the retrying execution strategy the services
/// get from Aspire's client integration) and SQLite (single process). Concurrent callers use contexts of their own, as
/// separate processes would.
/// </summary>
public sealed class RunStoreTests(PostgresFixture postgres) : IDisposable
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;
    static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    readonly ScratchDirectory _folder = ScratchDirectory.Create("runs");
    readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    public void Dispose() => _folder.Dispose();

    static readonly Plan Plan = Plan.Parse("""
        {"steps": [
          {"id": "a", "tool": "test.sleep_echo", "args": {"ms": 1, "value": "x"}},
          {"id": "b", "tool": "test.sleep_echo", "args": {"ms": 1, "value": "${a}"}},
          {"id": "c", "tool": "test.sleep_echo", "args": {"ms": 1, "value": "${b}"}},
          {"id": "d", "tool": "test.sleep_echo", "args": {"ms": 1, "value": "alone"}}
        ]}
        """);

    /// <summary>A fresh, migrated database of <paramref name="provider"/>; each call gives a new store on a new context.</summary>
    async Task<Func<RunStore>> DatabaseAsync(string provider, params IInterceptor[] interceptors)
    {
        var create = await ContextsAsync(provider, interceptors);
        return () => new RunStore(create(), _clock);
    }

    Task<Func<OrchDbContext>> ContextsAsync(string provider, params IInterceptor[] interceptors) =>
        OrchDatabases.CreateAsync(provider, postgres, _folder, Cancellation, interceptors);

    static async Task<Dictionary<string, StepRecord>> StepsAsync(RunStore store, Guid runId) =>
        (await store.FindAsync(runId, Cancellation))!.Steps.ToDictionary(s => s.StepId);

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task A_run_with_a_plan_is_stored_running_with_a_pending_row_per_step(string provider)
    {
        var store = await DatabaseAsync(provider);

        var run = await store().CreateAsync(null, Plan, Lease, Cancellation);
        var stored = await store().FindAsync(run.Id, Cancellation);

        Assert.Equal(RunState.Running, stored!.State);
        Assert.Equal(["a", "b", "c", "d"], stored.Steps.Select(s => s.StepId).Order());
        Assert.All(stored.Steps, s => Assert.Equal((StepState.Pending, 0), (s.State, s.Dispatch)));
        Assert.Equal("b", Core.Plans.Plan.Parse(stored.Plan!).Steps[1].Id);
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task Of_many_planners_scheduling_a_run_at_once_exactly_one_dispatches_each_ready_step(string provider)
    {
        var store = await DatabaseAsync(provider);
        var run = await store().CreateAsync(null, Plan, Lease, Cancellation);

        var schedules = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => store().ScheduleAsync(run.Id, Lease, Cancellation)));

        Assert.Equal([("a", 1), ("d", 1)], schedules.SelectMany(s => s!.Dispatched).Order());
        Assert.All(schedules, s => Assert.False(s!.Finished));
        var steps = await StepsAsync(store(), run.Id);
        Assert.Equal((StepState.Running, StepState.Pending), (steps["a"].State, steps["b"].State));
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task Of_many_executors_given_a_dispatch_exactly_one_takes_it_and_a_stale_dispatch_is_refused(string provider)
    {
        var store = await DatabaseAsync(provider);
        var run = await store().CreateAsync(null, Plan, Lease, Cancellation);
        await store().ScheduleAsync(run.Id, Lease, Cancellation);

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => store().TryClaimStepAsync(run.Id, "a", 1, $"executor-{i}", Lease, Cancellation)));

        Assert.Equal(1, claims.Count(c => c));
        Assert.False(await store().TryClaimStepAsync(run.Id, "d", 2, "executor-x", Lease, Cancellation));
        Assert.False(await store().TryClaimStepAsync(run.Id, "b", 1, "executor-x", Lease, Cancellation));
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task A_finished_step_keeps_its_output_and_cannot_finish_twice(string provider)
    {
        var store = await DatabaseAsync(provider);
        var run = await store().CreateAsync("do it", Plan, Lease, Cancellation);
        await store().ScheduleAsync(run.Id, Lease, Cancellation);
        Assert.True(await store().TryClaimStepAsync(run.Id, "a", 1, "me", Lease, Cancellation));

        Assert.True(await store().FinishStepAsync(run.Id, "a", 1, new StepOutcome(JsonNode.Parse("""{"v": 1}""")), 2, Cancellation));
        Assert.False(await store().FinishStepAsync(run.Id, "a", 1, StepOutcome.Failed("late duplicate"), 3, Cancellation));
        Assert.False(await store().FinishStepAsync(run.Id, "b", 1, StepOutcome.Failed("never started"), 1, Cancellation));

        var a = (await StepsAsync(store(), run.Id))["a"];
        Assert.Equal((StepState.Succeeded, """{"v":1}""", 2, (string?)null), (a.State, a.Output, a.Attempts, a.Error));
        Assert.Equal("""{"v":1}""", (await store().OutputsAsync(run.Id, ["a"], Cancellation))["a"]!.ToJsonString());
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task A_step_whose_executor_stops_renewing_is_dispatched_again_and_the_old_dispatch_can_no_longer_finish(string provider)
    {
        var store = await DatabaseAsync(provider);
        RunRecord run;
        // Made during a request: the run keeps its trace, which the recovery pass continues.
        using (var request = new Activity("POST /batch/execute").Start())
            run = await store().CreateAsync(null, Plan, Lease, Cancellation);
        await store().ScheduleAsync(run.Id, Lease, Cancellation);
        Assert.True(await store().TryClaimStepAsync(run.Id, "a", 1, "lost", Lease, Cancellation));
        Assert.Empty(await store().LapsedStepsAsync(10, Cancellation));

        // A lease later the claimed step has lapsed; "d", which no executor took yet, is still waiting, not lost.
        _clock.Advance(Lease + TimeSpan.FromSeconds(1));
        Assert.NotNull(run.TraceParent);
        Assert.Equal([new LapsedStep(run.Id, "a", 1, Claimed: true, run.TraceParent)], await store().LapsedStepsAsync(10, Cancellation));
        Assert.True(await store().RedispatchAsync(run.Id, "a", 1, Lease, Cancellation));
        Assert.False(await store().RedispatchAsync(run.Id, "a", 1, Lease, Cancellation));

        Assert.False(await store().RenewStepLeaseAsync(run.Id, "a", 1, "lost", Lease, Cancellation));
        Assert.False(await store().FinishStepAsync(run.Id, "a", 1, StepOutcome.Failed("too late"), 1, Cancellation));
        Assert.True(await store().TryClaimStepAsync(run.Id, "a", 2, "other", Lease, Cancellation));
        Assert.True(await store().FinishStepAsync(run.Id, "a", 2, new StepOutcome(JsonValue.Create("x")), 1, Cancellation));
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task A_step_no_executor_takes_is_published_again_with_the_same_dispatch_and_not_counted_as_an_executor_lost(string provider)
    {
        var store = await DatabaseAsync(provider);
        var run = await store().CreateAsync(null, Plan, Lease, Cancellation);
        await store().ScheduleAsync(run.Id, Lease, Cancellation);

        _clock.Advance(Lease + TimeSpan.FromSeconds(1));
        Assert.Empty(await store().LapsedStepsAsync(10, Cancellation));
        _clock.Advance(RunStore.UnclaimedFor(Lease));
        Assert.Equal([new LapsedStep(run.Id, "a", 1, Claimed: false, null), new LapsedStep(run.Id, "d", 1, Claimed: false, null)],
            (await store().LapsedStepsAsync(10, Cancellation)).OrderBy(s => s.StepId));

        Assert.True(await store().RepublishAsync(run.Id, "a", 1, Lease, Cancellation));
        Assert.False(await store().RepublishAsync(run.Id, "a", 1, Lease, Cancellation));
        Assert.Equal([new LapsedStep(run.Id, "d", 1, Claimed: false, null)], await store().LapsedStepsAsync(10, Cancellation));
        // Either copy of dispatch 1 can be taken, once.
        Assert.True(await store().TryClaimStepAsync(run.Id, "a", 1, "executor", Lease, Cancellation));
        Assert.False(await store().TryClaimStepAsync(run.Id, "a", 1, "executor", Lease, Cancellation));
        Assert.False(await store().RepublishAsync(run.Id, "d", 2, Lease, Cancellation));
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task A_failed_step_skips_everything_after_it_and_the_run_finishes(string provider)
    {
        var store = await DatabaseAsync(provider);
        var run = await store().CreateAsync(null, Plan, Lease, Cancellation);
        await store().ScheduleAsync(run.Id, Lease, Cancellation);
        await store().TryClaimStepAsync(run.Id, "d", 1, "me", Lease, Cancellation);
        await store().FinishStepAsync(run.Id, "d", 1, new StepOutcome(JsonValue.Create("ok")), 1, Cancellation);
        await store().TryClaimStepAsync(run.Id, "a", 1, "me", Lease, Cancellation);
        await store().FinishStepAsync(run.Id, "a", 1, StepOutcome.Failed("boom"), 1, Cancellation);

        var schedule = await store().ScheduleAsync(run.Id, Lease, Cancellation);

        Assert.Equal([("b", "not run: step 'a' it depends on failed."), ("c", "not run: step 'b' it depends on skipped.")], schedule!.Skipped);
        Assert.Empty(schedule.Dispatched);
        Assert.True(schedule.Finished);
        Assert.True(await store().EndRunAsync(run.Id, RunState.Running, RunState.Failed, null, "a failed", Cancellation));
        Assert.Null(await store().ScheduleAsync(run.Id, Lease, Cancellation));
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task A_replan_adds_the_new_steps_as_the_next_generation_and_keeps_the_others(string provider)
    {
        var store = await DatabaseAsync(provider);
        var run = await store().CreateAsync(null, Plan, Lease, Cancellation);
        await store().ScheduleAsync(run.Id, Lease, Cancellation);

        Assert.True(await store().SetPlanAsync(run.Id, new Plan([.. Plan.Steps, new PlanStep("e", "test.sleep_echo")]), Cancellation));

        var steps = await StepsAsync(store(), run.Id);
        Assert.Equal((StepState.Running, 0), (steps["a"].State, steps["a"].Generation));
        Assert.Equal((StepState.Pending, 1), (steps["e"].State, steps["e"].Generation));
        Assert.Equal(1, (await store().FindAsync(run.Id, Cancellation))!.Replans);
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task Cancelling_stops_pending_and_running_steps_once_and_a_running_step_then_cannot_finish(string provider)
    {
        var store = await DatabaseAsync(provider);
        var run = await store().CreateAsync(null, Plan, Lease, Cancellation);
        await store().ScheduleAsync(run.Id, Lease, Cancellation);
        await store().TryClaimStepAsync(run.Id, "a", 1, "me", Lease, Cancellation);

        Assert.Equal((RunState.Canceled, true), await store().CancelAsync(run.Id, Cancellation));
        Assert.Equal((RunState.Canceled, false), await store().CancelAsync(run.Id, Cancellation));
        Assert.Null(await store().CancelAsync(Guid.NewGuid(), Cancellation));

        Assert.All((await StepsAsync(store(), run.Id)).Values, s => Assert.Equal(StepState.Canceled, s.State));
        Assert.False(await store().RenewStepLeaseAsync(run.Id, "a", 1, "me", Lease, Cancellation));
        Assert.False(await store().FinishStepAsync(run.Id, "a", 1, new StepOutcome(JsonValue.Create("late")), 1, Cancellation));
        Assert.False(await store().SetPlanAsync(run.Id, Plan, Cancellation));
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task A_request_run_is_planned_by_one_planner_and_taken_back_when_its_claim_lapses(string provider)
    {
        var store = await DatabaseAsync(provider);
        var run = await store().CreateAsync("do it", null, Lease, Cancellation);

        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => store().TryLeaseRunAsync(run.Id, RunState.Pending, RunState.Planning, Lease, Cancellation)));
        Assert.Equal(1, claims.Count(c => c));
        Assert.False(await store().TryLeaseRunAsync(run.Id, RunState.Planning, RunState.Planning, Lease, Cancellation));
        Assert.Empty((await store().StaleRunsAsync(Lease, 10, Cancellation)).ToPlan);

        _clock.Advance(Lease + TimeSpan.FromSeconds(1));
        Assert.Equal([(run.Id, (string?)null)], (await store().StaleRunsAsync(Lease, 10, Cancellation)).ToPlan);
        Assert.True(await store().TryLeaseRunAsync(run.Id, RunState.Planning, RunState.Planning, Lease, Cancellation));
        Assert.True(await store().SetPlanAsync(run.Id, Plan, Cancellation));
        Assert.Equal(RunState.Running, (await store().FindAsync(run.Id, Cancellation))!.State);
    }

    /// <summary>
    /// The connection breaks as a transaction commits (the database restarts, say): the transaction is rolled back and run
    /// again from its start, on what the database holds, not on what the failed attempt had loaded and saved.
    /// </summary>
    [Fact]
    public async Task A_transaction_whose_commit_fails_is_run_again_and_its_work_is_done_once()
    {
        var commits = new FailingCommits();
        var store = await DatabaseAsync("postgres", commits);
        var requested = await store().CreateAsync("do it", null, Lease, Cancellation);
        var planned = await store().CreateAsync(null, Plan, Lease, Cancellation);
        var cancelled = await store().CreateAsync(null, Plan, Lease, Cancellation);
        // One context for each whole sequence, as one planner's scope has.
        var planner = store();
        Assert.True(await planner.TryLeaseRunAsync(requested.Id, RunState.Pending, RunState.Planning, Lease, Cancellation));

        commits.FailNext();
        Assert.True(await planner.SetPlanAsync(requested.Id, Plan, Cancellation));
        commits.FailNext();
        var schedule = await planner.ScheduleAsync(planned.Id, Lease, Cancellation);
        commits.FailNext();
        Assert.Equal((RunState.Canceled, true), await planner.CancelAsync(cancelled.Id, Cancellation));

        Assert.Equal(0, commits.Pending);
        var run = await store().FindAsync(requested.Id, Cancellation);
        Assert.Equal((RunState.Running, 0), (run!.State, run.Replans));
        Assert.Equal(["a", "b", "c", "d"], run.Steps.Select(s => s.StepId).Order());
        Assert.Equal([("a", 1), ("d", 1)], schedule!.Dispatched.Order());
        var steps = await StepsAsync(store(), planned.Id);
        Assert.Equal((StepState.Running, 1), (steps["a"].State, steps["a"].Dispatch));
        Assert.All((await StepsAsync(store(), cancelled.Id)).Values, s => Assert.Equal(StepState.Canceled, s.State));
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task Of_10000_runs_a_page_by_states_by_owner_or_deep_in_the_list_is_read_through_indexes(string provider)
    {
        var plans = new QueryPlans("runs");
        var contexts = await ContextsAsync(provider, plans);
        RunState[] states = [RunState.Pending, RunState.Planning, RunState.Running, RunState.Completed, RunState.Failed, RunState.Canceled];
        var start = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        var runs = Enumerable.Range(0, 10_000).Select(i => new RunRecord
        {
            Id = Guid.NewGuid(), State = states[i % states.Length], Owner = i % 2 == 0 ? "even" : "odd",
            CreatedAt = start.AddSeconds(i), UpdatedAt = start.AddSeconds(i), Plan = """{"steps": []}""",
        }).ToList();
        await using (var db = contexts())
        {
            db.Runs.AddRange(runs);
            await db.SaveChangesAsync(Cancellation);
            if (provider == "postgres")
                await db.Database.ExecuteSqlRawAsync("ANALYZE runs", Cancellation);
        }

        plans.Recording = true;
        var store = new RunStore(contexts(), _clock);
        var (page, total) = await store.ListAsync(3_320, 20, [RunState.Running, RunState.Failed], Cancellation);
        var (owned, ownedTotal) = await new RunStore(contexts(), _clock).ListAsync(0, 20, [RunState.Completed], Cancellation, owner: "odd");
        var (all, allTotal) = await new RunStore(contexts(), _clock).ListAsync(9_980, 20, [], Cancellation);
        plans.Recording = false;

        var expected = runs.Where(r => r.State is RunState.Running or RunState.Failed).OrderByDescending(r => r.CreatedAt).ToList();
        Assert.Equal(expected.Count, total);
        Assert.Equal(expected.Skip(3_320).Take(20).Select(r => r.Id), page.Select(r => r.Id));
        Assert.Equal(runs.Count(r => r.State == RunState.Completed && r.Owner == "odd"), ownedTotal);
        Assert.Equal(runs.Where(r => r.State == RunState.Completed && r.Owner == "odd").OrderByDescending(r => r.CreatedAt).Take(20).Select(r => r.Id),
            owned.Select(r => r.Id));
        Assert.Equal(10_000, allTotal);
        Assert.Equal(runs.OrderByDescending(r => r.CreatedAt).Skip(9_980).Select(r => r.Id), all.Select(r => r.Id));
        // Each list is a count, the page's ids and their runs: all three read through an index, none the whole table, and
        // what is sorted (several states, which no index keeps in one order) is ids, not whole runs.
        Assert.Equal(9, plans.Plans.Count);
        foreach (var (sql, plan) in plans.Plans)
        {
            Assert.False(QueryPlans.ScansTable(plan), $"{sql}\nis answered by reading the whole table:\n{plan}");
            if (QueryPlans.Sorts(plan))
                Assert.Matches(@"^SELECT ""?r""?\.""Id""\s+FROM", sql);
        }
    }
}
