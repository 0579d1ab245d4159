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
/// claim, and stores the outcome, however long the database is away. A duplicate or stale message is recognised by its
/// dispatch number and ignored.
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

        using var stoppingOrCanceled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, runCanceled.Token);
        // The lease is renewed until the outcome is stored, not only while the step runs: the database may be away when
        // the call ends, and an outcome thrown away would be a tool call made twice.
        await using var lease = LeaseKeeper.Start(scopes, Lease,
            (runs, ct) => runs.RenewStepLeaseAsync(runId, stepId, dispatch, identity.Name, Lease, ct), stoppingOrCanceled.Token);
        StepOutcome outcome;
        int attempts;
        using (var run = slots.Acquire(runId))
        {
            try
            {
                var (plan, caller) = (await WhileDatabaseAwayAsync(message, ct => store.FindPlanAsync(runId, ct), lease.Token))!.Value;
                var step = plan.Steps.Single(s => s.Id == stepId);
                var inputs = await WhileDatabaseAwayAsync(message, ct => store.OutputsAsync(runId, step.Dependencies, ct), lease.Token);
                Func<int, int, Task>? progress = step.ForEach is null ? null : new ProgressEvents(events, time, runId, stepId, dispatch).ReportAsync;
                (outcome, attempts) = await runner.RunAsync(step, inputs, new StepContext(runId, caller, run.Slots, progress), lease.Token);
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

        // Only this executor stopping meanwhile loses the outcome: then the step runs again once its lease lapses.
        if (!await WhileDatabaseAwayAsync(message, _ => store.FinishStepAsync(runId, stepId, dispatch, outcome, attempts, CancellationToken.None),
                cancellationToken))
            return false;
        var state = outcome.Succeeded ? StepState.Succeeded : StepState.Failed;
        OrchTelemetry.StepEnded(state.ToString());
        await events.AppendAsync(RunEvent.ForStep(runId, stepId, state, Now, outcome.Error) with { Dispatch = dispatch }, CancellationToken.None);
        return true;
    }

    /// <summary>
    /// A read or write of the step's own, tried again while the database is away (restarting, unreachable): that delays
    /// the step, it does not fail it, and the lease, renewed meanwhile, keeps the step this executor's.
    /// </summary>
    async Task<T> WhileDatabaseAwayAsync<T>(ExecuteStep message, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        var pause = TimeSpan.FromMilliseconds(250);
        for (var tries = 1; ; tries++)
        {
            try
            {
                return await operation(cancellationToken);
            }
            catch (Exception e) when (RunStore.IsDatabaseAway(e))
            {
                if (tries == 1)
                    LogDatabaseAway(logger, message.StepId, message.RunId, e.GetBaseException().Message);
            }
            await Task.Delay(pause, time, cancellationToken);
            // Never longer than a renewal's interval: the step goes on soon after the database is back.
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, (Lease / 3).Ticks));
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Step {StepId} of run {RunId}: dispatch {Dispatch} is not current or already taken; ignored.")]
    static partial void LogIgnored(ILogger logger, string stepId, Guid runId, int dispatch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Step {StepId} of run {RunId} stopped: the run was cancelled or the step given to another executor.")]
    static partial void LogCanceled(ILogger logger, string stepId, Guid runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Step {StepId} of run {RunId}: the database is away; trying until it is back: {Reason}")]
    static partial void LogDatabaseAway(ILogger logger, string stepId, Guid runId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Step {StepId} of run {RunId} could not be run.")]
    static partial void LogFailed(ILogger logger, Exception exception, string stepId, Guid runId);

    /// <summary>
    /// A forEach step's <c>step.progress</c> events: the first (0 of n) at once, then at most four a second, so a
    /// step of 1,000 elements writes a handful of events, not 1,000. The count only grows; the last one is implied by
    /// <c>step.succeeded</c>.
    /// </summary>
    sealed class ProgressEvents(IRunEventLog events, TimeProvider time, Guid runId, string stepId, int dispatch)
    {
        static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
        readonly SemaphoreSlim _writing = new(1, 1);
        long _lastAt;
        int _lastDone = -1;

        public async Task ReportAsync(int done, int total)
        {
            // A report that finds another being written is dropped: a later one carries a larger count.
            if (!_writing.Wait(0))
                return;
            try
            {
                if (done <= _lastDone || (_lastDone >= 0 && time.GetElapsedTime(_lastAt) < Interval))
                    return;
                (_lastDone, _lastAt) = (done, time.GetTimestamp());
                await events.AppendAsync(new RunEvent("step.progress", runId, time.GetUtcNow().UtcDateTime)
                {
                    StepId = stepId, State = nameof(StepState.Running), Dispatch = dispatch, Done = done, Total = total,
                }, CancellationToken.None);
            }
            finally
            {
                _writing.Release();
            }
        }
    }
}

/// <summary>This executor's name in the steps it takes: host, process id and a random part.</summary>
public sealed record ExecutorIdentity(string Name)
{
    public static ExecutorIdentity Create() => new($"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..6]}");
}
