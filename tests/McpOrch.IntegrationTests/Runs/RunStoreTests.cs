using McpOrch.Core.Plans;
using McpOrch.Core.Runs;
using McpOrch.Testing;
using Microsoft.EntityFrameworkCore;

namespace McpOrch.IntegrationTests.Runs;

/// <summary>The run store on both databases it runs on: PostgreSQL (distributed) and SQLite (single process).</summary>
public sealed class RunStoreTests(PostgresFixture postgres) : IDisposable
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;
    readonly ScratchDirectory _folder = ScratchDirectory.Create("runs");

    public void Dispose() => _folder.Dispose();

    static readonly Plan Plan = Plan.Parse("""
        {"steps": [
          {"id": "a", "tool": "test.sleep_echo", "args": {"ms": 1, "value": "x"}},
          {"id": "b", "tool": "test.sleep_echo", "args": {"ms": 1, "value": "${a}"}}
        ]}
        """);

    /// <summary>A fresh, migrated database of <paramref name="provider"/>; each call gives a new context on it.</summary>
    async Task<Func<OrchDbContext>> DatabaseAsync(string provider)
    {
        Func<OrchDbContext> create;
        if (provider == "postgres")
        {
            var connection = await postgres.CreateDatabaseAsync($"runs_{Guid.NewGuid():N}", Cancellation);
            create = () => new OrchDbContext(new DbContextOptionsBuilder<OrchDbContext>().UseNpgsql(connection).Options);
        }
        else
        {
            var connection = $"Data Source={_folder.Combine($"{Guid.NewGuid():N}.db")}";
            create = () => new SqliteOrchDbContext(new DbContextOptionsBuilder<SqliteOrchDbContext>().UseSqlite(connection).Options);
        }
        await using var db = create();
        await db.Database.MigrateAsync(Cancellation);
        Assert.False(db.Database.HasPendingModelChanges(), "the model has changes that no migration holds");
        return create;
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task A_run_with_a_plan_is_stored_with_a_pending_row_per_step(string provider)
    {
        var database = await DatabaseAsync(provider);
        await using var db = database();

        var run = await new RunStore(db, TimeProvider.System).CreateAsync(null, Plan, Cancellation);
        var stored = await new RunStore(database(), TimeProvider.System).FindAsync(run.Id, Cancellation);

        Assert.Equal(RunState.Running, stored!.State);
        Assert.Equal(["a", "b"], stored.Steps.Select(s => s.StepId).Order());
        Assert.All(stored.Steps, s => Assert.Equal(StepState.Pending, s.State));
        Assert.Equal("b", Core.Plans.Plan.Parse(stored.Plan!).Steps[1].Id);
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task Of_many_callers_that_try_to_start_a_step_at_once_exactly_one_does(string provider)
    {
        var database = await DatabaseAsync(provider);
        RunRecord run;
        await using (var db = database())
            run = await new RunStore(db, TimeProvider.System).CreateAsync(null, Plan, Cancellation);

        var started = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            await using var db = database();
            return await new RunStore(db, TimeProvider.System).TryStartStepAsync(run.Id, "a", Cancellation);
        }));

        Assert.Equal(1, started.Count(s => s));
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task A_finished_step_keeps_its_output_and_cannot_finish_twice(string provider)
    {
        var database = await DatabaseAsync(provider);
        await using var db = database();
        var store = new RunStore(db, TimeProvider.System);
        var run = await store.CreateAsync("do it", Plan, Cancellation);
        Assert.True(await store.TryStartStepAsync(run.Id, "a", Cancellation));

        Assert.True(await store.FinishStepAsync(run.Id, "a", new StepOutcome(System.Text.Json.Nodes.JsonNode.Parse("""{"v": 1}""")), 2, Cancellation));
        Assert.False(await store.FinishStepAsync(run.Id, "a", StepOutcome.Failed("late duplicate"), 3, Cancellation));
        Assert.False(await store.FinishStepAsync(run.Id, "b", StepOutcome.Failed("never started"), 1, Cancellation));

        var step = (await store.FindAsync(run.Id, Cancellation))!.Steps.Single(s => s.StepId == "a");
        Assert.Equal((StepState.Succeeded, """{"v":1}""", 2, (string?)null), (step.State, step.Output, step.Attempts, step.Error));
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task A_replan_adds_the_new_steps_and_keeps_the_others(string provider)
    {
        var database = await DatabaseAsync(provider);
        await using var db = database();
        var store = new RunStore(db, TimeProvider.System);
        var run = await store.CreateAsync(null, Plan, Cancellation);
        Assert.True(await store.TryStartStepAsync(run.Id, "a", Cancellation));

        await store.SetPlanAsync(run.Id, new Plan([.. Plan.Steps, new PlanStep("c", "test.sleep_echo")]), Cancellation);

        var steps = (await store.FindAsync(run.Id, Cancellation))!.Steps.ToDictionary(s => s.StepId, s => s.State);
        Assert.Equal(new Dictionary<string, StepState> { ["a"] = StepState.Running, ["b"] = StepState.Pending, ["c"] = StepState.Pending }, steps);
    }
}
