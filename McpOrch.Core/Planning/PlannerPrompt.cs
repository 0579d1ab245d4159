using System.Text;
using McpOrch.Core.Catalog;
using McpOrch.Core.Plans;
using Microsoft.Extensions.AI;

namespace McpOrch.Core.Planning;

/// <summary>What the model is told: how plans are written, which tools exist, and the request.</summary>
public static class PlannerPrompt
{
    const string Instructions = """
        You turn a request into a plan of MCP tool calls that a scheduler runs as a DAG, in parallel where it can.
        Answer with the plan only, as JSON: {"steps": [{"id", "tool", "args", "forEach"?, "as"?, "dependsOn"?}]}.
        - id: unique, a letter then letters, digits, '_' or '-'. tool: exactly one of the tool names below.
        - args: the tool's arguments, fitting its input schema.
        - "${stepId}" is that step's output; "${stepId.field[0].name}" a path into it. A string that is exactly one
          reference takes the value as it is; inside a longer string it is inserted as text.
        - A step may only refer to steps listed before it. Independent steps must not depend on each other.
        - "forEach": "${stepId.items}" runs the step once per element, in parallel; "as": "x" names the element
          for "${x.field}" in args. Its output is the array of the calls' outputs.
        - Use as few steps as the request needs, and only the tools listed.
        """;

    /// <summary>The system message (instructions and tools) and the request.</summary>
    public static IList<ChatMessage> Messages(string request, ToolCatalog catalog, int catalogBudget) =>
    [
        new(ChatRole.System, $"{Instructions}\nTools:\n{Tools(catalog, catalogBudget)}"),
        new(ChatRole.User, request),
    ];

    /// <summary>What ran, for a replan: every step with its output (cut to the budget) or its error.</summary>
    public static string Replan(Plan plan, IReadOnlyDictionary<string, StepOutcome> outcomes, int budget) => $"""
        The plan below ran; some steps failed for good. Answer with new steps only, with new ids, that complete the
        request another way. They may refer to the steps that succeeded, not to those that failed. Do not repeat
        what succeeded.
        {Outcomes(plan, outcomes, budget)}
        """;

    /// <summary>The joiner's messages: the request and what the steps produced.</summary>
    public static IList<ChatMessage> Answer(string request, Plan plan, IReadOnlyDictionary<string, StepOutcome> outcomes, int budget) =>
    [
        new(ChatRole.System, "Answer the user's request from the results of the tool calls made for it. Say plainly what could not be done and why."),
        new(ChatRole.User, $"Request: {request}\n\nResults:\n{Outcomes(plan, outcomes, budget)}"),
    ];

    static string Outcomes(Plan plan, IReadOnlyDictionary<string, StepOutcome> outcomes, int budget)
    {
        var perStep = Math.Max(200, budget / Math.Max(1, plan.Steps.Count));
        var text = new StringBuilder();
        foreach (var step in plan.Steps)
        {
            var outcome = outcomes.GetValueOrDefault(step.Id);
            var result = outcome switch
            {
                null => "did not run",
                { Succeeded: true } => $"output: {Shorten(outcome.Output?.ToJsonString() ?? "null", perStep)}",
                _ => $"FAILED: {outcome.Error}",
            };
            text.AppendLine($"- {step.Id} ({step.Tool}): {result}");
        }
        return text.ToString();
    }

    /// <summary>
    /// One line per tool with its description and input schema while the budget lasts; past it, names and the
    /// start of the description only, so that every tool stays usable by name.
    /// </summary>
    public static string Tools(ToolCatalog catalog, int budget)
    {
        var text = new StringBuilder();
        foreach (var tool in catalog.Tools)
        {
            var full = $"- {tool.Name}: {tool.Tool.Description} Input schema: {tool.Tool.InputSchema.GetRawText()}";
            var line = text.Length + full.Length <= budget
                ? full
                : $"- {tool.Name}: {Shorten(tool.Tool.Description, 80)}";
            text.AppendLine(line);
        }
        return text.ToString();
    }

    static string Shorten(string? text, int length) =>
        text is null ? "" : text.Length <= length ? text : text[..length] + "…";
}
