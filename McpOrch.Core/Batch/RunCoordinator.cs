using System.Text.Json.Nodes;
using MassTransit;
using McpOrch.Core.Batch.Messages;
using McpOrch.Core.Catalog;
using McpOrch.Core.Configuration;
using McpOrch.Core.Planning;
using McpOrch.Core.Plans;
using McpOrch.Core.Runs;
using McpOrch.Core.Security;
using McpOrch.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpOrch.Core.Batch;

/// <summary>
/// The planner's side of a run: asks the model for the plan, dispatches every step that is ready, and when nothing
/// is left replans after failures (up to <c>llm.max_replans</c>) or ends the run with the joiner's answer. Any
/// number of planner instances may handle one run's messages: the <see cref="RunStore"/>'s transitions decide.
/// </summary>
public sealed partial class RunCoordinator(
    RunStore store,
    IRunEventLog events,
    IPublishEndpoint bus,
    ICatalogStore catalogs,
    IServiceScopeFactory scopes,
    IOptions<OrchOptions> options,
    TimeProvider time,
    ILogger<RunCoordinator> logger,
    PlanGenerator? generator = null)
{
    TimeSpan Lease => options.Value.Execution.StepLease;
    DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>Plans a Pending run, or schedules a run that already has its plan.</summary>
    public async Task PlanAsync(Guid runId, CancellationToken cancellationToken)
    {
        var run = await store.FindAsync(runId, cancellationToken);
        if (run?.State == RunState.Running)
        {
            await ScheduleAsync(runId, cancellationToken);
            return;
        }
        if (run is null
            || !(await store.TryLeaseRunAsync(runId, RunState.Pending, RunState.Planning, Lease, cancellationToken)
                || await store.TryLeaseRunAsync(runId, RunState.Planning, RunState.Planning, Lease, cancellationToken)))
            return;

        await events.AppendAsync(new RunEvent("run.planning", runId, Now) { State = nameof(RunState.Planning) }, cancellationToken);
        Plan plan;
        await using (var lease = KeepRunLease(runId, RunState.Planning, cancellationToken))
        {
            try
            {
                if (generator is null)
                    throw new PlanningException("No LLM is configured to plan the request: set llm.provider (see README, \"Batch jobs\"), or send a plan.");
                plan = await generator.GenerateAsync(run.Request!, await CatalogAsync(run, lease.Token), lease.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return; // The run was cancelled while the model worked.
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await EndAsync(runId, RunState.Planning, RunState.Failed, null, Reason("planning failed", e), cancellationToken);
                return;
            }
        }
        if (!await store.SetPlanAsync(runId, plan, cancellationToken))
            return;
        await events.AppendAsync(new RunEvent("run.planned", runId, Now) { State = nameof(RunState.Running), Steps = [.. plan.Steps.Select(s => s.Id)] },
            cancellationToken);
        await ScheduleAsync(runId, cancellationToken);
    }

    /// <summary>
    /// Skips what a failure blocked, dispatches what is ready, and finishes the run when nothing is pending or running.
    /// </summary>
    public async Task ScheduleAsync(Guid runId, CancellationToken cancellationToken)
    {
        if (await store.ScheduleAsync(runId, Lease, cancellationToken) is not { } schedule)
            return;
        foreach (var (stepId, reason) in schedule.Skipped)
        {
            OrchTelemetry.StepEnded(nameof(StepState.Skipped));
            await events.AppendAsync(RunEvent.ForStep(runId, stepId, StepState.Skipped, Now, reason), cancellationToken);
        }
        if (schedule.Dispatched.Count > 0)
            await bus.PublishBatch(schedule.Dispatched.Select(d => new ExecuteStep(runId, d.StepId, d.Dispatch)), cancellationToken);
        if (schedule.Finished)
            await FinishAsync(runId, cancellationToken);
    }

    /// <summary>Replans after failures when allowed, or ends the run: Completed with the answer, or Failed with the reason.</summary>
    async Task FinishAsync(Guid runId, CancellationToken cancellationToken)
    {
        if (!await store.TryLeaseRunAsync(runId, RunState.Running, RunState.Running, Lease, cancellationToken))
            return; // Another planner is finishing it.
        await using var lease = KeepRunLease(runId, RunState.Running, cancellationToken);
        var run = (await store.FindAsync(runId, cancellationToken))!;
        var plan = Plan.Parse(run.Plan!);
        var outcomes = run.Steps.ToDictionary(s => s.StepId, Outcome, StringComparer.Ordinal);
        // After a replan, the newest steps decide: the failures they work around stay recorded but do not fail the run.
        var newest = run.Steps.Max(s => s.Generation);
        var failed = run.Steps.Where(s => s.Generation == newest && s.State != StepState.Succeeded).OrderBy(s => s.StepId, StringComparer.Ordinal).ToList();
        var reason = failed.Count == 0 ? null
            : $"{failed.Count} of {run.Steps.Count(s => s.Generation == newest)} steps did not succeed: "
              + string.Join("; ", failed.Select(s => $"{s.StepId}: {s.Error ?? s.State.ToString().ToLowerInvariant()}"));
        try
        {
            if (reason is not null && run.Request is not null && generator is not null && run.Replans < options.Value.Llm.MaxReplans)
            {
                try
                {
                    var extended = await generator.ReplanAsync(run.Request, await CatalogAsync(run, lease.Token), plan, outcomes, lease.Token);
                    if (await store.SetPlanAsync(runId, extended, cancellationToken))
                    {
                        var added = extended.Steps.Skip(plan.Steps.Count).Select(s => s.Id).ToList();
                        await events.AppendAsync(new RunEvent("run.replanned", runId, Now) { State = nameof(RunState.Running), Steps = added }, cancellationToken);
                        await ScheduleAsync(runId, cancellationToken);
                    }
                    return;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    reason += $". {Reason("Replanning failed", e)}";
                }
            }
            string? answer = null;
            if (reason is null && run.Request is not null && generator is not null)
            {
                try
                {
                    answer = await generator.AnswerAsync(run.Request, plan, outcomes, lease.Token);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    reason = Reason("Every step succeeded, but writing the final answer failed", e);
                }
            }
            await EndAsync(runId, RunState.Running, reason is null ? RunState.Completed : RunState.Failed, answer, reason, cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The run was cancelled while the model worked.
        }
    }

    async Task EndAsync(Guid runId, RunState from, RunState state, string? answer, string? error, CancellationToken cancellationToken)
    {
        if (!await store.EndRunAsync(runId, from, state, answer, error, cancellationToken))
            return;
        if (error is null)
            LogEnded(logger, runId, state);
        else
            LogEndedWith(logger, runId, state, error);
        await events.AppendAsync(RunEvent.ForRun(runId, state, Now, error), cancellationToken);
    }

    LeaseKeeper KeepRunLease(Guid runId, RunState state, CancellationToken cancellationToken) =>
        LeaseKeeper.Start(scopes, Lease, (runs, ct) => runs.RenewRunLeaseAsync(runId, state, Lease, ct), cancellationToken);

    /// <summary>
    /// The catalog Proxy.Api published, waiting for it as long as servers may take to start, with only the tools the
    /// run's caller may use: the model never hears of the others, and a plan naming one fails validation.
    /// </summary>
    async Task<ToolCatalog> CatalogAsync(RunRecord run, CancellationToken cancellationToken)
    {
        var scope = Caller.FromJson(run.Caller).Scope;
        var deadline = Now + options.Value.Server.StartupTimeout;
        while (true)
        {
            if (await catalogs.ReadAsync(cancellationToken) is { } snapshot)
                return ToolCatalog.From(snapshot).Where(t => scope.Allows(t.Server, t.Name));
            if (Now > deadline)
                throw new PlanningException("No tool catalog was published: Proxy.Api publishes it once its MCP servers have started. Is it running?");
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }

    static StepOutcome Outcome(StepRecord step) => step.State == StepState.Succeeded
        ? new StepOutcome(step.Output is null ? null : JsonNode.Parse(step.Output))
        : StepOutcome.Failed(step.Error ?? $"the step was {step.State.ToString().ToLowerInvariant()}");

    static string Reason(string what, Exception e) => e is PlanningException ? e.Message : $"{what}: {e.Message}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} ended {State}.")]
    static partial void LogEnded(ILogger logger, Guid runId, RunState state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} ended {State}: {Error}")]
    static partial void LogEndedWith(ILogger logger, Guid runId, RunState state, string error);
}
