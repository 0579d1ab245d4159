using System.Text.Json.Serialization;
using System.Text.Json.Nodes;

namespace McpOrch.Core.Plans;

/// <summary>One tool call of a <see cref="Plan"/>.</summary>
/// <param name="Id">Unique in the plan, <c>[A-Za-z][A-Za-z0-9_-]*</c>; others refer to its output as <c>${id}</c>.</param>
/// <param name="Tool">A catalog name such as <c>github.list_issues</c>.</param>
/// <param name="Args">The arguments; strings may hold references such as <c>${repos.items[0].name}</c>.</param>
/// <param name="ForEach">A reference to an array: the step runs once per element, in parallel.</param>
/// <param name="As">The name each element is bound to in <see cref="Args"/> (default <c>item</c>).</param>
/// <param name="DependsOn">Steps to wait for beyond the ones referred to.</param>
public sealed record PlanStep(string Id, string Tool, JsonObject? Args = null, string? ForEach = null, string? As = null,
    IReadOnlyList<string>? DependsOn = null)
{
    /// <summary>The name forEach elements are bound to when <see cref="As"/> is not given.</summary>
    public const string DefaultItemName = "item";

    /// <summary>The name the current forEach element is bound to, or null for a single call.</summary>
    [JsonIgnore]
    public string? ItemName => ForEach is null ? null : As ?? DefaultItemName;

    /// <summary>The steps whose outputs this one needs: those referred to in <see cref="ForEach"/> and <see cref="Args"/>, and <see cref="DependsOn"/>.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Dependencies =>
    [
        .. References().Select(r => r.Root).Where(root => root != ItemName)
            .Concat(DependsOn ?? [])
            .Distinct(StringComparer.Ordinal),
    ];

    /// <summary>Every reference in <see cref="ForEach"/> and <see cref="Args"/>.</summary>
    public IEnumerable<PlanReference> References()
    {
        if (ForEach is not null)
            foreach (var reference in PlanReference.FindAll(ForEach))
                yield return reference;
        foreach (var text in Strings(Args))
            foreach (var reference in PlanReference.FindAll(text))
                yield return reference;
    }

    static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(p => Strings(p.Value)),
        JsonArray array => array.SelectMany(Strings),
        JsonValue value when value.TryGetValue<string>(out var text) => [text],
        _ => [],
    };
}
