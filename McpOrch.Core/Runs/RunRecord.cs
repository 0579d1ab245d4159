namespace McpOrch.Core.Runs;

/// <summary>A batch run as the database keeps it: the source of truth every service reads.</summary>
public sealed class RunRecord
{
    public Guid Id { get; set; }

    /// <summary>The natural-language request, or null when the caller sent a plan.</summary>
    public string? Request { get; set; }

    /// <summary>The plan as JSON, once there is one.</summary>
    public string? Plan { get; set; }

    public RunState State { get; set; }

    /// <summary>The final answer of a natural-language run.</summary>
    public string? Answer { get; set; }

    /// <summary>Why the run failed.</summary>
    public string? Error { get; set; }

    /// <summary>How often the plan was extended after failures.</summary>
    public int Replans { get; set; }

    /// <summary>
    /// While a planner works on the run with the model (planning, replanning, answering): when its claim lapses if it
    /// shows no sign of life. For a Pending run: when a planner should have taken it.
    /// </summary>
    public DateTime? LeaseUntil { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    public DateTime? CompletedAt { get; set; }

    /// <summary>
    /// The <see cref="Security.Caller"/> that started the run, as JSON: the run plans and calls only the tools in its
    /// scope, its calls count against its rate limit and are audited under its name.
    /// </summary>
    public string? Caller { get; set; }

    /// <summary>The <see cref="Security.Caller.Id"/> of that caller: only it (and keys with the write permission) may see the run.</summary>
    public string? Owner { get; set; }

    /// <summary>
    /// The W3C traceparent of the request that started the run: the recovery pass continues the run's trace when it
    /// dispatches a step again or plans the run anew, so that a run stays one trace.
    /// </summary>
    public string? TraceParent { get; set; }

    public List<StepRecord> Steps { get; set; } = [];
}
