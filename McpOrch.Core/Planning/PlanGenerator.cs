using System.Text.Json;
using McpOrch.Core.Catalog;
using McpOrch.Core.Configuration;
using McpOrch.Core.Plans;
using Microsoft.Extensions.AI;

namespace McpOrch.Core.Planning;

/// <summary>
/// Asks the model for a plan as structured output and checks it; an invalid plan goes back to the model with the
/// validator's errors, up to <c>llm.max_repairs</c> times.
/// </summary>
public sealed class PlanGenerator(IChatClient chat, LlmOptions llm, ExecutionOptions execution)
{
    /// <summary>The JSON schema the model's answer must follow.</summary>
    public static readonly JsonElement PlanSchema = JsonDocument.Parse("""
        {
          "type": "object",
          "properties": {
            "steps": {
              "type": "array",
              "items": {
                "type": "object",
                "properties": {
                  "id": {"type": "string"},
                  "tool": {"type": "string"},
                  "args": {"type": "object"},
                  "forEach": {"type": "string"},
                  "as": {"type": "string"},
                  "dependsOn": {"type": "array", "items": {"type": "string"}}
                },
                "required": ["id", "tool", "args"]
              }
            }
          },
          "required": ["steps"]
        }
        """).RootElement;

    /// <summary>A valid plan for <paramref name="request"/> over <paramref name="catalog"/>.</summary>
    /// <exception cref="PlanningException">The model gave no valid plan within the repairs allowed.</exception>
    public async Task<Plan> GenerateAsync(string request, ToolCatalog catalog, CancellationToken cancellationToken)
    {
        var messages = PlannerPrompt.Messages(request, catalog, llm.CatalogBudget);
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(PlanSchema, "plan", "A plan of MCP tool calls.") };
        IReadOnlyList<string> errors = [];
        for (var attempt = 0; attempt <= llm.MaxRepairs; attempt++)
        {
            var response = await chat.GetResponseAsync(messages, options, cancellationToken);
            var text = response.Text;
            errors = Check(text, catalog, out var plan);
            if (errors.Count == 0)
                return plan!;
            messages.Add(new ChatMessage(ChatRole.Assistant, text));
            messages.Add(new ChatMessage(ChatRole.User,
                $"That plan cannot run:\n- {string.Join("\n- ", errors)}\nAnswer with the corrected plan, as JSON only."));
        }
        throw new PlanningException(
            $"The model gave no valid plan in {llm.MaxRepairs + 1} attempts (llm.max_repairs = {llm.MaxRepairs}); the last one had: {string.Join("; ", errors)}");
    }

    IReadOnlyList<string> Check(string text, ToolCatalog catalog, out Plan? plan)
    {
        try
        {
            plan = Plan.Parse(text);
        }
        catch (JsonException e)
        {
            plan = null;
            return [$"the answer is not a plan in JSON ({e.Message.Split(" Path:")[0]})"];
        }
        return [.. PlanValidator.Validate(plan, catalog, execution.MaxPlanSteps).Select(e => e.ToString())];
    }
}
