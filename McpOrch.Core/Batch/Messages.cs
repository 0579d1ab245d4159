namespace McpOrch.Core.Batch.Messages;

// The messages between Proxy.Api, Planner.Worker and Executor.Worker. They carry ids only: the database holds the
// state, so a message that arrives twice, late, or after a crash changes nothing it should not.

/// <summary>To the planner: plan the run (or, when it has an explicit plan, start scheduling it).</summary>
public sealed record PlanRun(Guid RunId);

/// <summary>To an executor: run a step. <paramref name="Dispatch"/> tells this dispatch from a stale or duplicate one.</summary>
public sealed record ExecuteStep(Guid RunId, string StepId, int Dispatch);

/// <summary>
/// To the planner: a step ended, so others may have become ready. <paramref name="StepId"/> is null when the
/// recovery loop asks for a scheduling pass over a run nothing touched for a while.
/// </summary>
public sealed record StepFinished(Guid RunId, string? StepId);
