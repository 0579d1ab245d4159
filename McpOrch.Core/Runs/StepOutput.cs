using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;

namespace McpOrch.Core.Runs;

/// <summary>What a tool call contributes to later steps.</summary>
public static class StepOutput
{
    /// <summary>
    /// The result's <c>structuredContent</c> when there is one; otherwise its text, parsed as JSON when it parses,
    /// else the text itself (ARCHITECTURE.md, "Plan format").
    /// </summary>
    public static JsonNode? From(CallToolResult result)
    {
        if (result.StructuredContent is { } structured)
            return JsonNode.Parse(structured.GetRawText());
        var text = Text(result);
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    /// <summary>The text blocks of a result, one after another.</summary>
    public static string Text(CallToolResult result) =>
        string.Join("\n", result.Content.OfType<TextContentBlock>().Select(t => t.Text));
}
