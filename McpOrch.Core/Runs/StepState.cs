namespace McpOrch.Core.Runs;

/// <summary>Where a step of a run is.</summary>
public enum StepState
{
    /// <summary>Waiting for the steps it depends on.</summary>
    Pending,

    /// <summary>Handed to an executor.</summary>
    Running,

    /// <summary>Produced its output.</summary>
    Succeeded,

    /// <summary>Failed for good (after its retries).</summary>
    Failed,

    /// <summary>Never ran, because a step it depends on failed.</summary>
    Skipped,

    /// <summary>Stopped because the run was cancelled.</summary>
    Canceled,
}
