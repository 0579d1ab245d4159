using MassTransit;
using McpOrch.Core.Batch.Messages;
using McpOrch.Core.Configuration;
using McpOrch.Core.Plans;
using McpOrch.Core.Runs;
using McpOrch.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpOrch.Core.Batch;

/// <summary>
/// The planner's safety net. The database is the source of truth and messages can be lost to a crash between a
/// commit and a publish, so every half lease it re-dispatches steps whose executor stopped renewing its claim
/// (failing a step whose executors were lost more than <c>execution.retry_count</c> times, at least once), publishes
/// again the message of a step no executor took within <see cref="RunStore.UnclaimedFor"/>, re-plans runs whose
/// planner vanished, and schedules runs that nothing touched for a lease. Each of these is a span in the trace of its
/// run. A claimed step is taken from its executor only when two passes in a row see its lease lapsed: a live executor
/// whose renewals could not land while the database was away renews within a third of a lease once it is back.
/// </summary>
public sealed partial class RecoveryService(IServiceScopeFactory scopes, IOptions<OrchOptions> options, TimeProvider time,
    ILogger<RecoveryService> logger) : BackgroundService
{
    const int Batch = 100;
    ExecutionOptions Execution => options.Value.Execution;

    // The claimed steps the last pass saw lapsed: a step is taken from its executor only when this pass sees it so again.
    HashSet<(Guid RunId, string StepId, int Dispatch)> _lapsed = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Execution.StepLease / 2, time, stoppingToken);
                await RecoverAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFailed(logger, e.Message);
            }
        }
    }

    /// <summary>One pass over lapsed steps and stale runs.</summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<RunStore>();
        var bus = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
        var events = scope.ServiceProvider.GetRequiredService<IRunEventLog>();
        var now = time.GetUtcNow().UtcDateTime;

        var lapsed = await store.LapsedStepsAsync(Batch, cancellationToken);
        var seenBefore = _lapsed;
        _lapsed = [.. lapsed.Where(s => s.Claimed).Select(s => (s.RunId, s.StepId, s.Dispatch))];
        foreach (var (runId, stepId, dispatch, claimed, traceParent) in lapsed)
        {
            if (claimed && !seenBefore.Contains((runId, stepId, dispatch)))
                continue; // Its executor may only have been kept from renewing: give it until the next pass.
            using var activity = OrchTelemetry.StartRecovery($"step {stepId}", traceParent);
            if (!claimed)
            {
                // Its message may have been lost (a planner that died between dispatching and publishing): once more.
                if (await store.RepublishAsync(runId, stepId, dispatch, Execution.StepLease, cancellationToken))
                {
                    LogRepublished(logger, stepId, runId, RunStore.UnclaimedFor(Execution.StepLease).TotalSeconds, dispatch);
                    await bus.Publish(new ExecuteStep(runId, stepId, dispatch), cancellationToken);
                }
            }
            else if (dispatch > Math.Max(1, Execution.RetryCount))
            {
                var error = $"the executor running it stopped answering {dispatch} times (execution.step_lease is {Execution.StepLease.TotalSeconds:0.###}s).";
                if (await store.FinishStepAsync(runId, stepId, dispatch, StepOutcome.Failed(error), 0, cancellationToken))
                {
                    OrchTelemetry.StepEnded(nameof(StepState.Failed));
                    await events.AppendAsync(RunEvent.ForStep(runId, stepId, StepState.Failed, now, error), cancellationToken);
                    await bus.Publish(new StepFinished(runId, stepId), cancellationToken);
                }
            }
            else if (await store.RedispatchAsync(runId, stepId, dispatch, Execution.StepLease, cancellationToken))
            {
                LogRedispatched(logger, stepId, runId, dispatch + 1);
                await events.AppendAsync(new RunEvent("step.redispatched", runId, now)
                {
                    StepId = stepId, State = nameof(StepState.Running), Dispatch = dispatch + 1,
                }, cancellationToken);
                await bus.Publish(new ExecuteStep(runId, stepId, dispatch + 1), cancellationToken);
            }
        }

        var (toPlan, toSchedule) = await store.StaleRunsAsync(Execution.StepLease, Batch, cancellationToken);
        foreach (var (runId, traceParent) in toPlan)
        {
            using var activity = OrchTelemetry.StartRecovery("plan", traceParent);
            await bus.Publish(new PlanRun(runId), cancellationToken);
        }
        foreach (var (runId, traceParent) in toSchedule)
        {
            using var activity = OrchTelemetry.StartRecovery("schedule", traceParent);
            await bus.Publish(new StepFinished(runId, null), cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Step {StepId} of run {RunId} waited {Seconds:0.#} s for an executor; its message is published again (dispatch {Dispatch}).")]
    static partial void LogRepublished(ILogger logger, string stepId, Guid runId, double seconds, int dispatch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Step {StepId} of run {RunId}: its executor stopped answering; dispatched again (dispatch {Dispatch}).")]
    static partial void LogRedispatched(ILogger logger, string stepId, Guid runId, int dispatch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The recovery pass failed and is tried again: {Reason}")]
    static partial void LogFailed(ILogger logger, string reason);
}
