using System.Text.Json;
using System.Text.Json.Serialization;

namespace McpOrch.Core.Plans;

/// <summary>
/// A batch run's plan: tool calls whose arguments may refer to earlier steps' outputs, run as a DAG.
/// The JSON form is the contract between planner, executors, API and tests (ARCHITECTURE.md, "Plan format").
/// </summary>
/// <param name="Steps">The steps; a step may refer only to steps listed before it.</param>
public sealed record Plan(IReadOnlyList<PlanStep> Steps)
{
    /// <summary>How plans are written: camelCase, as in the API and the planner's structured output.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Reads a plan from JSON.</summary>
    /// <exception cref="JsonException">The text is not a plan.</exception>
    public static Plan Parse(string json) =>
        JsonSerializer.Deserialize<Plan>(json, JsonOptions) ?? throw new JsonException("A plan must be an object with \"steps\".");
}
