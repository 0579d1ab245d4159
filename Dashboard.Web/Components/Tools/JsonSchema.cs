using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Dashboard.Web.Components.Tools;

/// <summary>
/// The parts of JSON Schema a tool's input form is made from: a field's kind, its default, and the problems of a value
/// (the same rules Proxy.Api checks, said where the user types). What the form cannot show as a field is edited as JSON.
/// </summary>
public static class JsonSchema
{
    public enum Kind { Text, Number, Integer, Boolean, Choice, List, Group, Json }

    /// <summary>How a value of <paramref name="schema"/> is edited.</summary>
    public static Kind KindOf(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
            return Kind.Json;
        if (schema.TryGetProperty("enum", out var choices) && choices.ValueKind == JsonValueKind.Array
            && choices.EnumerateArray().All(c => c.ValueKind is JsonValueKind.String or JsonValueKind.Number))
            return Kind.Choice;
        return Type(schema) switch
        {
            "string" => Kind.Text,
            "number" => Kind.Number,
            "integer" => Kind.Integer,
            "boolean" => Kind.Boolean,
            "array" when schema.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Object => Kind.List,
            "object" when schema.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object => Kind.Group,
            _ => Kind.Json,
        };
    }

    /// <summary>The schema's one type: <c>"type": "string"</c>, or <c>["string", "null"]</c> read as string.</summary>
    public static string? Type(JsonElement schema) =>
        !schema.TryGetProperty("type", out var type) ? null
        : type.ValueKind == JsonValueKind.String ? type.GetString()
        : type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()).FirstOrDefault(t => t != "null")
        : null;

    public static IEnumerable<(string Name, JsonElement Schema)> Properties(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object
            ? properties.EnumerateObject().Select(p => (p.Name, p.Value))
            : [];

    public static IReadOnlySet<string> Required(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array
            ? required.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()!).ToHashSet()
            : new HashSet<string>();

    public static string? Text(JsonElement schema, string name) =>
        schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    static double? Number(JsonElement schema, string name) =>
        schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    /// <summary>An object with the defaults the schema gives (nested groups included); fields without one are left out.</summary>
    public static JsonObject Defaults(JsonElement schema)
    {
        var value = new JsonObject();
        foreach (var (name, property) in Properties(schema))
            if (property.ValueKind == JsonValueKind.Object && property.TryGetProperty("default", out var given))
                value[name] = JsonNode.Parse(given.GetRawText());
            else if (KindOf(property) == Kind.Group && Defaults(property) is { Count: > 0 } nested)
                value[name] = nested;
        return value;
    }

    /// <summary>What is wrong with <paramref name="value"/> (null: not given) as a value of <paramref name="schema"/>, in words.</summary>
    public static IReadOnlyList<string> Problems(JsonElement schema, JsonNode? value, bool required)
    {
        if (value is null)
            return required ? ["Required."] : [];
        List<string> problems = [];
        var kind = KindOf(schema);
        switch (kind)
        {
            case Kind.Text when value.GetValueKind() != JsonValueKind.String:
                problems.Add("Must be text.");
                break;
            case Kind.Text:
                var text = value.GetValue<string>();
                if (Number(schema, "minLength") is { } min && text.Length < min)
                    problems.Add($"At least {min} characters.");
                if (Number(schema, "maxLength") is { } max && text.Length > max)
                    problems.Add($"At most {max} characters.");
                if (Text(schema, "pattern") is { } pattern && !Matches(pattern, text))
                    problems.Add($"Must match {pattern}.");
                break;
            case Kind.Number or Kind.Integer when value.GetValueKind() != JsonValueKind.Number:
                problems.Add(kind == Kind.Integer ? "Must be a whole number." : "Must be a number.");
                break;
            case Kind.Number or Kind.Integer:
                // Whatever .NET type the node holds (long, double, a parsed element): its JSON text is the number.
                var number = double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture);
                if (kind == Kind.Integer && number != Math.Floor(number))
                    problems.Add("Must be a whole number.");
                if (Number(schema, "minimum") is { } minimum && number < minimum)
                    problems.Add($"At least {Show(minimum)}.");
                if (Number(schema, "maximum") is { } maximum && number > maximum)
                    problems.Add($"At most {Show(maximum)}.");
                if (Number(schema, "exclusiveMinimum") is { } above && number <= above)
                    problems.Add($"More than {Show(above)}.");
                if (Number(schema, "exclusiveMaximum") is { } below && number >= below)
                    problems.Add($"Less than {Show(below)}.");
                break;
            case Kind.Boolean when value.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False):
                problems.Add("Must be true or false.");
                break;
            case Kind.Choice when !schema.GetProperty("enum").EnumerateArray().Any(c => JsonNode.DeepEquals(JsonNode.Parse(c.GetRawText()), value)):
                problems.Add($"One of {string.Join(", ", schema.GetProperty("enum").EnumerateArray().Select(c => c.ToString()))}.");
                break;
            case Kind.List when value is not JsonArray:
                problems.Add("Must be a list.");
                break;
            case Kind.List:
                var count = value.AsArray().Count;
                if (Number(schema, "minItems") is { } fewest && count < fewest)
                    problems.Add($"At least {fewest} items.");
                if (Number(schema, "maxItems") is { } most && count > most)
                    problems.Add($"At most {most} items.");
                break;
            case Kind.Group when value is not JsonObject:
                problems.Add("Must be an object.");
                break;
        }
        return problems;
    }

    /// <summary>Every problem of an object of <paramref name="schema"/>, nested fields included, each with its path.</summary>
    public static IReadOnlyList<string> AllProblems(JsonElement schema, JsonObject value, string path = "")
    {
        List<string> problems = [];
        var required = Required(schema);
        foreach (var (name, property) in Properties(schema))
        {
            var field = value[name];
            var at = path.Length == 0 ? name : $"{path}.{name}";
            problems.AddRange(Problems(property, field, required.Contains(name)).Select(p => $"{at}: {p}"));
            if (KindOf(property) == Kind.Group && field is JsonObject nested)
                problems.AddRange(AllProblems(property, nested, at));
            if (KindOf(property) == Kind.List && field is JsonArray items)
                for (var i = 0; i < items.Count; i++)
                    problems.AddRange(Problems(property.GetProperty("items"), items[i], true).Select(p => $"{at}[{i}]: {p}"));
        }
        return problems;
    }

    static bool Matches(string pattern, string text)
    {
        try
        {
            return Regex.IsMatch(text, pattern, RegexOptions.None, TimeSpan.FromMilliseconds(100));
        }
        catch (Exception e) when (e is ArgumentException or RegexMatchTimeoutException)
        {
            return true; // A pattern .NET cannot run is Proxy.Api's to judge.
        }
    }

    static string Show(double number) => number.ToString(CultureInfo.InvariantCulture);
}
