namespace McpOrch.Core.Plans;

/// <summary>What is wrong with a plan, and where.</summary>
/// <param name="StepId">The step, or null for the plan as a whole.</param>
/// <param name="Message">The problem, for a person or for the model that wrote the plan.</param>
public sealed record PlanError(string? StepId, string Message)
{
    public override string ToString() => StepId is null ? Message : $"step '{StepId}': {Message}";
}
