namespace McpOrch.Core.Runs;

/// <summary>A Running step whose lease ran out (see <see cref="RunStore.LapsedStepsAsync"/>).</summary>
/// <param name="RunId">The run.</param>
/// <param name="StepId">The step.</param>
/// <param name="Dispatch">The step's current dispatch number.</param>
/// <param name="Claimed">
/// Whether an executor had taken it: then that executor stopped answering. Otherwise the step's message waited
/// <see cref="RunStore.UnclaimedFor"/> without an executor taking it, and may have been lost.
/// </param>
/// <param name="TraceParent">The run's trace, for the recovery pass's span.</param>
public sealed record LapsedStep(Guid RunId, string StepId, int Dispatch, bool Claimed, string? TraceParent);
