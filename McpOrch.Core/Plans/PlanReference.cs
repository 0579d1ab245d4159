using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace McpOrch.Core.Plans;

/// <summary>
/// <c>${root}</c> or <c>${root.path[0].more}</c>: the output of step <c>root</c> (or the forEach element bound to
/// that name), and a path into it.
/// </summary>
public sealed partial record PlanReference(string Text, string Root, IReadOnlyList<object> Path)
{
    [GeneratedRegex(@"\$\{(?<body>[^}]*)\}")]
    private static partial Regex Pattern();

    [GeneratedRegex(@"^(?<root>[A-Za-z][A-Za-z0-9_-]*)(?<path>(\.[A-Za-z0-9_-]+|\[\d+\])*)$")]
    private static partial Regex Body();

    [GeneratedRegex(@"\.(?<name>[A-Za-z0-9_-]+)|\[(?<index>\d+)\]")]
    private static partial Regex Segment();

    /// <summary>The references in <paramref name="text"/>, malformed ones included (with an empty <see cref="Root"/>).</summary>
    public static IEnumerable<PlanReference> FindAll(string text) =>
        Pattern().Matches(text).Select(m => Parse(m.Value, m.Groups["body"].Value));

    /// <summary>The reference when <paramref name="text"/> is exactly one reference and nothing else.</summary>
    public static PlanReference? Whole(string text)
    {
        var match = Pattern().Match(text);
        return match.Success && match.Index == 0 && match.Length == text.Length ? Parse(match.Value, match.Groups["body"].Value) : null;
    }

    /// <summary>Whether the reference is well formed.</summary>
    public bool IsValid => Root.Length > 0;

    static PlanReference Parse(string text, string body)
    {
        var match = Body().Match(body.Trim());
        if (!match.Success)
            return new PlanReference(text, "", []);
        var path = Segment().Matches(match.Groups["path"].Value)
            .Select(s => s.Groups["name"].Success ? (object)s.Groups["name"].Value : int.Parse(s.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        return new PlanReference(text, match.Groups["root"].Value, path);
    }

    /// <summary>Follows <see cref="Path"/> into <paramref name="value"/>.</summary>
    /// <exception cref="PlanReferenceException">A segment does not exist in the value.</exception>
    public JsonNode? Follow(JsonNode? value)
    {
        var current = value;
        var walked = Root;
        foreach (var segment in Path)
        {
            current = (segment, current) switch
            {
                (string name, JsonObject obj) when obj.TryGetPropertyValue(name, out var next) => next,
                (int index, JsonArray array) when index < array.Count => array[index],
                _ => throw new PlanReferenceException(this,
                    $"{Text}: {walked} has no {(segment is int i ? $"element [{i}]" : $"property '{segment}'")} ({Describe(current)})"),
            };
            walked += segment is int n ? $"[{n}]" : $".{segment}";
        }
        return current;
    }

    static string Describe(JsonNode? node) => node switch
    {
        null => "it is null",
        JsonArray array => $"it is an array of {array.Count}",
        JsonObject obj => obj.Count == 0 ? "it is an empty object" : $"its properties are {string.Join(", ", obj.Select(p => p.Key).Take(8))}",
        _ => $"it is {node.GetValueKind().ToString().ToLowerInvariant()} {node.ToJsonString()}",
    };
}
