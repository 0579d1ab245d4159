using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using McpOrch.Core.Runs;

namespace Proxy.Api.Apis;

// The batch API's bodies, snake_case as its events are. The plan inside keeps the plan format's own names (forEach, dependsOn).

/// <summary>The body of <c>POST /batch/execute</c>: a natural-language <c>request</c>, or an explicit <c>plan</c>.</summary>
public sealed record BatchRequest(string? Request, JsonObject? Plan);

/// <summary>A run was accepted; follow it with the links.</summary>
public sealed record BatchAccepted(
    [property: JsonPropertyName("task_id")] Guid TaskId,
    RunState State,
    BatchLinks Links);

public sealed record BatchLinks(string Status, string Result, string Events, string Cancel)
{
    public static BatchLinks For(Guid id) => new($"/batch/status/{id}", $"/batch/result/{id}", $"/batch/events/{id}", $"/batch/cancel/{id}");
}

/// <summary>A run's state and every step's: <c>GET /batch/status/{id}</c>.</summary>
public sealed record BatchStatus(
    [property: JsonPropertyName("task_id")] Guid TaskId,
    RunState State,
    string? Request,
    string? Error,
    int Replans,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt,
    [property: JsonPropertyName("updated_at")] DateTime UpdatedAt,
    [property: JsonPropertyName("completed_at")] DateTime? CompletedAt,
    JsonNode? Plan,
    IReadOnlyList<BatchStepStatus> Steps)
{
    public static BatchStatus From(RunRecord run) => new(run.Id, run.State, run.Request, run.Error, run.Replans,
        Utc(run.CreatedAt), Utc(run.UpdatedAt), Utc(run.CompletedAt), run.Plan is null ? null : JsonNode.Parse(run.Plan),
        [.. StepsInPlanOrder(run).Select(BatchStepStatus.From)]);

    /// <summary>Steps in the order the plan lists them (replanned ones after).</summary>
    internal static IEnumerable<StepRecord> StepsInPlanOrder(RunRecord run)
    {
        var order = run.Plan is null ? [] : McpOrch.Core.Plans.Plan.Parse(run.Plan).Steps.Select((s, i) => (s.Id, i)).ToDictionary(p => p.Id, p => p.i);
        return run.Steps.OrderBy(s => order.GetValueOrDefault(s.StepId, int.MaxValue)).ThenBy(s => s.StepId, StringComparer.Ordinal);
    }

    // SQLite hands DateTimes back unspecified; they are stored in UTC.
    internal static DateTime Utc(DateTime time) => DateTime.SpecifyKind(time, DateTimeKind.Utc);

    internal static DateTime? Utc(DateTime? time) => time is { } t ? Utc(t) : null;
}

/// <summary>One step in <see cref="BatchStatus"/>.</summary>
public sealed record BatchStepStatus(
    string Id,
    string Tool,
    StepState State,
    int Attempts,
    int Dispatch,
    string? Executor,
    string? Error,
    [property: JsonPropertyName("started_at")] DateTime? StartedAt,
    [property: JsonPropertyName("completed_at")] DateTime? CompletedAt,
    [property: JsonPropertyName("duration_ms")] double? DurationMs)
{
    public static BatchStepStatus From(StepRecord step) => new(step.StepId, step.Tool, step.State, step.Attempts, step.Dispatch, step.Owner,
        step.Error, BatchStatus.Utc(step.StartedAt), BatchStatus.Utc(step.CompletedAt),
        step is { StartedAt: { } started, CompletedAt: { } completed } ? Math.Round((completed - started).TotalMilliseconds, 1) : null);
}

/// <summary>What a run produced: <c>GET /batch/result/{id}</c>, once it ended.</summary>
public sealed record BatchResult(
    [property: JsonPropertyName("task_id")] Guid TaskId,
    RunState State,
    string? Answer,
    string? Error,
    IReadOnlyDictionary<string, JsonNode?> Outputs,
    IReadOnlyDictionary<string, string> Errors);

/// <summary>A run in <c>GET /batch</c>.</summary>
public sealed record BatchSummary(
    [property: JsonPropertyName("task_id")] Guid TaskId,
    RunState State,
    string? Request,
    string? Error,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt,
    [property: JsonPropertyName("completed_at")] DateTime? CompletedAt)
{
    public static BatchSummary From(RunRecord run) =>
        new(run.Id, run.State, run.Request, run.Error, BatchStatus.Utc(run.CreatedAt), BatchStatus.Utc(run.CompletedAt));
}

/// <summary>A page of runs, newest first.</summary>
public sealed record BatchPage(IReadOnlyList<BatchSummary> Items, int Total, int Offset, int Limit);

/// <summary>What <c>POST /batch/validate</c> found: <c>valid</c>, and every problem.</summary>
public sealed record PlanValidation(bool Valid, IReadOnlyList<PlanProblem> Errors);

/// <summary>One problem of a plan: the step's id, or null for the plan as a whole.</summary>
public sealed record PlanProblem(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Step,
    string Message);
