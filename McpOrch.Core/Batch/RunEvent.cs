using System.Text.Json;
using System.Text.Json.Serialization;
using McpOrch.Core.Runs;

namespace McpOrch.Core.Batch;

/// <summary>
/// One state change of a run, as <c>GET /batch/events/{id}</c> streams it. <see cref="Type"/> is one of
/// <c>run.created</c>, <c>run.planning</c>, <c>run.planned</c>, <c>run.replanned</c>, <c>step.started</c>,
/// <c>step.progress</c> (a forEach step's elements done), <c>step.succeeded</c>, <c>step.failed</c>, <c>step.skipped</c>,
/// <c>step.redispatched</c>, and the last one of a run: <c>run.completed</c>, <c>run.failed</c> or <c>run.canceled</c>.
/// </summary>
public sealed record RunEvent(string Type, Guid RunId, DateTime At)
{
    /// <summary>How events are written, in the Redis streams and to clients: snake_case like the rest of the batch API.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The step, for <c>step.*</c> events.</summary>
    public string? StepId { get; init; }

    /// <summary>The run's or step's state after the change.</summary>
    public string? State { get; init; }

    /// <summary>Which dispatch of the step (1, then one more after each lost executor).</summary>
    public int? Dispatch { get; init; }

    /// <summary>The executor that took the step, for <c>step.started</c>.</summary>
    public string? Executor { get; init; }

    /// <summary>Why a step or run failed, or why a step was skipped.</summary>
    public string? Error { get; init; }

    /// <summary>For <c>step.progress</c>: how many of the forEach step's elements are done, of <see cref="Total"/>.</summary>
    public int? Done { get; init; }

    /// <summary>For <c>step.progress</c>: how many elements the forEach step has.</summary>
    public int? Total { get; init; }

    /// <summary>The steps of the plan, for <c>run.planned</c> and the new ones for <c>run.replanned</c>.</summary>
    public IReadOnlyList<string>? Steps { get; init; }

    /// <summary>Whether this is the last event of its run.</summary>
    [JsonIgnore]
    public bool IsLast => Type is "run.completed" or "run.failed" or "run.canceled";

    /// <summary>A run event whose type follows from <paramref name="state"/> (<c>run.completed</c> for Completed).</summary>
    public static RunEvent ForRun(Guid runId, RunState state, DateTime at, string? error = null) =>
        new($"run.{state.ToString().ToLowerInvariant()}", runId, at) { State = state.ToString(), Error = error };

    /// <summary>A step event whose type follows from <paramref name="state"/> (<c>step.succeeded</c> for Succeeded).</summary>
    public static RunEvent ForStep(Guid runId, string stepId, StepState state, DateTime at, string? error = null) =>
        new($"step.{state.ToString().ToLowerInvariant()}", runId, at) { StepId = stepId, State = state.ToString(), Error = error };
}
