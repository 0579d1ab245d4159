namespace McpOrch.Core.Runs;

/// <summary>One step of a run as the database keeps it; (RunId, StepId) identifies it.</summary>
public sealed class StepRecord
{
    public Guid RunId { get; set; }

    public string StepId { get; set; } = "";

    public string Tool { get; set; } = "";

    public StepState State { get; set; }

    /// <summary>Tool calls made, retries and forEach elements included.</summary>
    public int Attempts { get; set; }

    /// <summary>The output as JSON, when the step succeeded.</summary>
    public string? Output { get; set; }

    /// <summary>Why the step failed or was skipped.</summary>
    public string? Error { get; set; }

    public DateTime? StartedAt { get; set; }

    public DateTime? CompletedAt { get; set; }
}
