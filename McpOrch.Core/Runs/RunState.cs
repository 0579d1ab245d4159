namespace McpOrch.Core.Runs;

/// <summary>Where a batch run is.</summary>
public enum RunState
{
    /// <summary>Stored, waiting for the planner.</summary>
    Pending,

    /// <summary>The planner is asking the model for a plan.</summary>
    Planning,

    /// <summary>Steps are running.</summary>
    Running,

    /// <summary>Every step ended; the answer is written.</summary>
    Completed,

    /// <summary>Planning failed, or steps failed for good.</summary>
    Failed,

    /// <summary>Cancelled by a caller.</summary>
    Canceled,
}
