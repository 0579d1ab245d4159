using System.Text.Json.Nodes;

namespace McpOrch.Core.Plans;

/// <summary>How a step ended: its output, or why it failed for good.</summary>
/// <param name="Output">The step's output when it succeeded (for forEach, the array of the calls' outputs).</param>
/// <param name="Error">Why it failed, when it did.</param>
public sealed record StepOutcome(JsonNode? Output, string? Error = null)
{
    /// <summary>Whether the step produced its output.</summary>
    public bool Succeeded => Error is null;

    /// <summary>A failure.</summary>
    public static StepOutcome Failed(string error) => new(null, error);
}
