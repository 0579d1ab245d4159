namespace Dashboard.Web.Components.Runs;

/// <summary>When a step started and completed (UTC); null for what has not happened yet.</summary>
public readonly record struct StepTimes(DateTime? StartedAt, DateTime? CompletedAt);
