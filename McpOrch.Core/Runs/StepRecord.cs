namespace McpOrch.Core.Runs;

/// <summary>One step of a run as the database keeps it; (RunId, StepId) identifies it.</summary>
public sealed class StepRecord
{
    public Guid RunId { get; set; }

    public string StepId { get; set; } = "";

    public string Tool { get; set; } = "";

    public StepState State { get; set; }

    /// <summary>0 for the first plan's steps, n for the steps the n-th replan added.</summary>
    public int Generation { get; set; }

    /// <summary>
    /// How often the step was handed to an executor: the first dispatch is 1, and each re-dispatch after a lost
    /// executor adds one. An executor acts only on the message of the current dispatch.
    /// </summary>
    public int Dispatch { get; set; }

    /// <summary>The executor that took the current dispatch, or null while it waits in the queue.</summary>
    public string? Owner { get; set; }

    /// <summary>When the current dispatch is given up if its executor shows no sign of life.</summary>
    public DateTime? LeaseUntil { get; set; }

    /// <summary>Tool calls made, retries and forEach elements included.</summary>
    public int Attempts { get; set; }

    /// <summary>The output as JSON, when the step succeeded.</summary>
    public string? Output { get; set; }

    /// <summary>Why the step failed or was skipped.</summary>
    public string? Error { get; set; }

    public DateTime? StartedAt { get; set; }

    public DateTime? CompletedAt { get; set; }
}
