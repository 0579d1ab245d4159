using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using ModelContextProtocol.Protocol;
using NJsonSchema;
using NJsonSchema.Validation;

namespace McpOrch.Core.Catalog;

/// <summary>Checks a tool call's arguments against the tool's input schema before the call goes upstream.</summary>
public static partial class ArgumentValidator
{
    // Parsed once per tool definition; a new catalog brings new definitions and lets the old ones go.
    static readonly ConditionalWeakTable<Tool, JsonSchema> Schemas = [];

    /// <summary>One line per problem, naming the field: <c>message: property required</c>; empty when the arguments fit.</summary>
    public static IReadOnlyList<string> Validate(Tool tool, IReadOnlyDictionary<string, JsonElement> arguments)
    {
        var schema = Schemas.GetValue(tool, t => JsonSchema.FromJsonAsync(t.InputSchema.GetRawText()).GetAwaiter().GetResult());
        return [.. Flatten(schema.Validate(JsonSerializer.Serialize(arguments))).Select(Describe).Distinct()];
    }

    static IEnumerable<ValidationError> Flatten(IEnumerable<ValidationError> errors) =>
        errors.SelectMany(e => e is ChildSchemaValidationError child && child.Errors.Count > 0
            ? Flatten(child.Errors.SelectMany(c => c.Value))
            : [e]);

    static string Describe(ValidationError error)
    {
        var field = error.Path?.TrimStart('#', '/').Replace('/', '.') is { Length: > 0 } path ? path : error.Property ?? "(arguments)";
        return $"{field}: {Words().Replace(error.Kind.ToString(), " $1").Trim().ToLowerInvariant()}";
    }

    [GeneratedRegex("([A-Z])")]
    private static partial Regex Words();
}
