using McpOrch.Core.Batch.Messages;
using McpOrch.Core.Configuration;
using McpOrch.Core.Plans;
using McpOrch.Core.Runs;
using McpOrch.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpOrch.Core.Batch;

/// <summary>
/// The executor's side of a run: takes a step's dispatch, runs it with <see cref="StepRunner"/> while renewing its
/// claim, and stores the outcome. A duplicate or stale message is recognised by its dispatch number and ignored.
/// </summary>
public sealed partial class StepExecutor(
    RunStore store,
    StepRunner runner,
    IRunEventLog events,
    RunCancellation cancellation,
    RunSlots slots,
    ExecutorIdentity identity,
    IServiceScopeFactory scopes,
    IOptions<OrchOptions> options,
    TimeProvider time,
    ILogger<StepExecutor> logger)
{
    TimeSpan Lease => options.Value.Execution.StepLease;
    DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>Runs the step; true when its outcome was stored (then the planner must hear of it).</summary>
    /// <param name="message">The dispatch.</param>
    /// <param name="cancellationToken">Cancelled when this executor stops: the step is then given back.</param>
    public async Task<bool> ExecuteAsync(ExecuteStep message, CancellationToken cancellationToken)
    {
        var (runId, stepId, dispatch) = message;
        // Listening first: a cancellation before the claim makes the claim fail, one after it cancels the token.
        using var runCanceled = await cancellation.ListenAsync(runId);
        if (!await store.TryClaimStepAsync(runId, stepId, dispatch, identity.Name, Lease, cancellationToken))
        {
            LogIgnored(logger, stepId, runId, dispatch);
            return false;
        }
        await events.AppendAsync(new RunEvent("step.started", runId, Now)
        {
            StepId = stepId, State = nameof(StepState.Running), Dispatch = dispatch, Executor = identity.Name,
        }, cancellationToken);

        StepOutcome outcome;
        int attempts;
        using var stoppingOrCanceled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, runCanceled.Token);
        await using (var lease = LeaseKeeper.Start(scopes, Lease,
            (runs, ct) => runs.RenewStepLeaseAsync(runId, stepId, dispatch, identity.Name, Lease, ct), stoppingOrCanceled.Token))
        using (var run = slots.Acquire(runId))
        {
            try
            {
                var (plan, caller) = (await store.FindPlanAsync(runId, lease.Token))!.Value;
                var step = plan.Steps.Single(s => s.Id == stepId);
                var inputs = await store.OutputsAsync(runId, step.Dependencies, lease.Token);
                (outcome, attempts) = await runner.RunAsync(step, inputs, new StepContext(runId, caller, run.Slots), lease.Token);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // This executor is stopping: give the step back for another to take.
                await store.ReleaseStepAsync(runId, stepId, dispatch, identity.Name, CancellationToken.None);
                throw;
            }
            catch (OperationCanceledException)
            {
                LogCanceled(logger, stepId, runId);
                return false; // The run was cancelled, or the step was given to another executor.
            }
            catch (Exception e)
            {
                LogFailed(logger, e, stepId, runId);
                (outcome, attempts) = (StepOutcome.Failed($"the executor failed to run the step: {e.Message}"), 1);
            }
        }

        if (!await store.FinishStepAsync(runId, stepId, dispatch, outcome, attempts, CancellationToken.None))
            return false;
        var state = outcome.Succeeded ? StepState.Succeeded : StepState.Failed;
        OrchTelemetry.StepEnded(state.ToString());
        await events.AppendAsync(RunEvent.ForStep(runId, stepId, state, Now, outcome.Error) with { Dispatch = dispatch }, CancellationToken.None);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Step {StepId} of run {RunId}: dispatch {Dispatch} is not current or already taken; ignored.")]
    static partial void LogIgnored(ILogger logger, string stepId, Guid runId, int dispatch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Step {StepId} of run {RunId} stopped: the run was cancelled or the step given to another executor.")]
    static partial void LogCanceled(ILogger logger, string stepId, Guid runId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Step {StepId} of run {RunId} could not be run.")]
    static partial void LogFailed(ILogger logger, Exception exception, string stepId, Guid runId);
}

/// <summary>This executor's name in the steps it takes: host, process id and a random part.</summary>
public sealed record ExecutorIdentity(string Name)
{
    public static ExecutorIdentity Create() => new($"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..6]}");
}
