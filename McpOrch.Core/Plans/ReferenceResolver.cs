using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpOrch.Core.Plans;

/// <summary>Puts outputs where a step's arguments refer to them.</summary>
public static class ReferenceResolver
{
    /// <summary>
    /// A copy of <paramref name="args"/> with every reference replaced: a string that is exactly one reference takes
    /// the referred JSON value as it is; a reference inside a longer string is inserted as text.
    /// </summary>
    /// <param name="args">The step's arguments.</param>
    /// <param name="lookup">The output of a step, or the forEach element, by name.</param>
    /// <exception cref="PlanReferenceException">A reference's path does not exist in the output.</exception>
    public static JsonObject Resolve(JsonObject? args, Func<string, JsonNode?> lookup) =>
        (JsonObject)(Resolve((JsonNode?)args, lookup) ?? new JsonObject());

    /// <summary>The elements a forEach step runs over, in order.</summary>
    /// <exception cref="PlanReferenceException">The reference does not lead to an array, or to more elements than <paramref name="maxFanOut"/>.</exception>
    public static IReadOnlyList<JsonNode?> ForEachItems(PlanStep step, Func<string, JsonNode?> lookup, int maxFanOut)
    {
        var reference = PlanReference.Whole(step.ForEach!) ?? throw new ArgumentException($"step '{step.Id}': forEach is not one reference.", nameof(step));
        var value = reference.Follow(lookup(reference.Root));
        if (value is not JsonArray array)
            throw new PlanReferenceException(reference, $"forEach {reference.Text} must be an array, but it is {Kind(value)}");
        if (array.Count > maxFanOut)
            throw new PlanReferenceException(reference, $"forEach {reference.Text} has {array.Count} elements, more than the limit of {maxFanOut} (execution.max_fan_out)");
        return [.. array];
    }

    static JsonNode? Resolve(JsonNode? node, Func<string, JsonNode?> lookup) => node switch
    {
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, Resolve(p.Value, lookup)))),
        JsonArray array => new JsonArray([.. array.Select(item => Resolve(item, lookup))]),
        JsonValue value when value.TryGetValue<string>(out var text) => ResolveText(text, lookup),
        _ => node?.DeepClone(),
    };

    static JsonNode? ResolveText(string text, Func<string, JsonNode?> lookup)
    {
        if (PlanReference.Whole(text) is { IsValid: true } whole)
            return whole.Follow(lookup(whole.Root))?.DeepClone();
        var result = text;
        foreach (var reference in PlanReference.FindAll(text).Where(r => r.IsValid))
            result = result.Replace(reference.Text, AsText(reference.Follow(lookup(reference.Root))), StringComparison.Ordinal);
        return JsonValue.Create(result);
    }

    static string AsText(JsonNode? value) => value switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        null => "null",
        _ => value.ToJsonString(),
    };

    static string Kind(JsonNode? value) => value is null ? "null" : value.GetValueKind() switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        _ => value.GetValueKind().ToString().ToLowerInvariant(),
    };
}
