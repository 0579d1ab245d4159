using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Dashboard.Web.Components.Runs;

/// <summary>
/// Reads the steps of a plan in the plan format (see ARCHITECTURE.md, "Plan format"). The dashboard does not reference
/// McpOrch.Core, so this repeats its reading of references; a plan here has been validated already, but a bad one
/// (a cycle, an unknown reference, a repeated id) is still drawn rather than refused.
/// </summary>
internal static partial class PlanSteps
{
    // As McpOrch.Core's PlanReference: "${root}" or "${root.path[0]}"; only the root names a step.
    [GeneratedRegex(@"\$\{\s*(?<root>[A-Za-z][A-Za-z0-9_-]*)(\.[A-Za-z0-9_-]+|\[\d+\])*\s*\}")]
    private static partial Regex Reference();

    /// <summary>The steps of <paramref name="plan"/> in plan order; those without an id, and repeated ids, are left out.</summary>
    public static IReadOnlyList<PlanStepInfo> Read(JsonObject? plan)
    {
        var steps = (plan?["steps"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(step => (Json: step, Id: Text(step["id"])))
            .Where(step => step.Id.Length > 0)
            .DistinctBy(step => step.Id, StringComparer.Ordinal)
            .ToList();
        var ids = steps.Select(step => step.Id).ToHashSet(StringComparer.Ordinal);
        return [.. steps.Select(step => new PlanStepInfo(step.Id, Text(step.Json["tool"]), step.Json["forEach"] is not null,
            Dependencies(step.Json).Where(ids.Contains).ToList()))];
    }

    static IEnumerable<string> Dependencies(JsonObject step)
    {
        // The forEach element (named by "as", "item" by default) is not a step, as in McpOrch.Core's PlanStep.
        var item = step["forEach"] is null ? null : Text(step["as"]) is { Length: > 0 } name ? name : "item";
        var referenced = Strings(step["forEach"]).Concat(Strings(step["args"]))
            .SelectMany(text => Reference().Matches(text), (_, match) => match.Groups["root"].Value)
            .Where(root => root != item);
        var named = (step["dependsOn"] as JsonArray ?? []).Select(Text);
        return referenced.Concat(named).Distinct(StringComparer.Ordinal);
    }

    static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(p => Strings(p.Value)),
        JsonArray array => array.SelectMany(Strings),
        JsonValue value when value.TryGetValue<string>(out var text) => [text],
        _ => [],
    };

    static string Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : "";
}
