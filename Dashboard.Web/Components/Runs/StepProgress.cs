namespace Dashboard.Web.Components.Runs;

/// <summary>How far a forEach step is: <paramref name="Done"/> of its <paramref name="Total"/> calls have finished.</summary>
public readonly record struct StepProgress(int Done, int Total);
