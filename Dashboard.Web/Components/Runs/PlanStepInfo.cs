namespace Dashboard.Web.Components.Runs;

/// <summary>A step of a plan as the run pictures need it: what it is called and which steps it waits for.</summary>
/// <param name="Id">The step's id.</param>
/// <param name="Tool">The tool it calls.</param>
/// <param name="IsForEach">Whether it fans out over an array.</param>
/// <param name="Dependencies">The steps of the plan it references or names in <c>dependsOn</c>, each once.</param>
internal sealed record PlanStepInfo(string Id, string Tool, bool IsForEach, IReadOnlyList<string> Dependencies);
