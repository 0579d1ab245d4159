namespace McpOrch.Core.Plans;

/// <summary>A reference that cannot be resolved against the outputs at hand.</summary>
public sealed class PlanReferenceException(PlanReference reference, string message) : Exception(message)
{
    /// <summary>The reference.</summary>
    public PlanReference Reference { get; } = reference;
}
