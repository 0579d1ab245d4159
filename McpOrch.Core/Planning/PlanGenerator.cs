using System.Text.Json;
using McpOrch.Core.Catalog;
using McpOrch.Core.Configuration;
using McpOrch.Core.Plans;
using Microsoft.Extensions.AI;

namespace McpOrch.Core.Planning;

/// <summary>
/// Asks the model for a plan as structured output and checks it; an invalid plan goes back to the model with the
/// validator's errors, up to <c>llm.max_repairs</c> times. Also replans after failures, and writes the final
/// answer from the steps' outputs (the joiner of LLMCompiler).
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
    public Task<Plan> GenerateAsync(string request, ToolCatalog catalog, CancellationToken cancellationToken) =>
        AskForPlanAsync(PlannerPrompt.Messages(request, catalog, llm.CatalogBudget), catalog, new Plan([]), new HashSet<string>(), cancellationToken);

    /// <summary>
    /// The plan extended with steps that complete <paramref name="request"/> after some steps failed for good: the
    /// model sees every outcome and adds new steps, which may use the outputs of the steps that succeeded but not
    /// those that failed. Nothing that ran is repeated.
    /// </summary>
    /// <exception cref="PlanningException">The model gave no valid extension within the repairs allowed.</exception>
    public Task<Plan> ReplanAsync(string request, ToolCatalog catalog, Plan plan, IReadOnlyDictionary<string, StepOutcome> outcomes,
        CancellationToken cancellationToken)
    {
        var messages = PlannerPrompt.Messages(request, catalog, llm.CatalogBudget);
        messages.Add(new ChatMessage(ChatRole.User, PlannerPrompt.Replan(plan, outcomes, llm.CatalogBudget)));
        var failed = outcomes.Where(o => !o.Value.Succeeded).Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
        return AskForPlanAsync(messages, catalog, plan, failed, cancellationToken);
    }

    /// <summary>The final answer to <paramref name="request"/>, written from the outcomes of the plan's steps.</summary>
    public async Task<string> AnswerAsync(string request, Plan plan, IReadOnlyDictionary<string, StepOutcome> outcomes,
        CancellationToken cancellationToken)
    {
        var response = await chat.GetResponseAsync(PlannerPrompt.Answer(request, plan, outcomes, llm.CatalogBudget), cancellationToken: cancellationToken);
        return response.Text;
    }

    /// <summary>
    /// Asks until the answer, added to <paramref name="before"/>, is a valid plan whose new steps use no step in
    /// <paramref name="failed"/>; returns the whole plan.
    /// </summary>
    async Task<Plan> AskForPlanAsync(IList<ChatMessage> messages, ToolCatalog catalog, Plan before, IReadOnlySet<string> failed,
        CancellationToken cancellationToken)
    {
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(PlanSchema, "plan", "A plan of MCP tool calls.") };
        IReadOnlyList<string> errors = [];
        for (var attempt = 0; attempt <= llm.MaxRepairs; attempt++)
        {
            var response = await chat.GetResponseAsync(messages, options, cancellationToken);
            var text = response.Text;
            errors = Check(text, catalog, before, failed, out var plan);
            if (errors.Count == 0)
                return plan!;
            messages.Add(new ChatMessage(ChatRole.Assistant, text));
            messages.Add(new ChatMessage(ChatRole.User,
                $"That plan cannot run:\n- {string.Join("\n- ", errors)}\nAnswer with the corrected plan, as JSON only."));
        }
        throw new PlanningException(
            $"The model gave no valid plan in {llm.MaxRepairs + 1} attempts (llm.max_repairs = {llm.MaxRepairs}); the last one had: {string.Join("; ", errors)}");
    }

    IReadOnlyList<string> Check(string text, ToolCatalog catalog, Plan before, IReadOnlySet<string> failed, out Plan? plan)
    {
        Plan added;
        try
        {
            added = Plan.Parse(text);
        }
        catch (JsonException e)
        {
            plan = null;
            return [$"the answer is not a plan in JSON ({e.Message.Split(" Path:")[0]})"];
        }
        plan = new Plan([.. before.Steps, .. added.Steps ?? []]);
        if (before.Steps.Count > 0 && added.Steps is not { Count: > 0 })
            return ["the answer adds no step."];
        var errors = PlanValidator.Validate(plan, catalog, execution.MaxPlanSteps).Select(e => e.ToString()).ToList();
        errors.AddRange(added.Steps!
            .SelectMany(step => step.Dependencies.Where(failed.Contains)
                .Select(dependency => $"step '{step.Id}': step '{dependency}' failed and has no output to use; do it another way.")));
        return errors;
    }
}
