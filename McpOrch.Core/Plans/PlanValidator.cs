using System.Text.Json;
using System.Text.RegularExpressions;
using McpOrch.Core.Catalog;
using McpOrch.Core.Configuration;

namespace McpOrch.Core.Plans;

/// <summary>
/// Checks a plan before anything runs: step ids, tools, references, dependencies and cycles, arguments against
/// each tool's input schema, and the size limit. Every error names the step and the problem.
/// </summary>
public static partial class PlanValidator
{
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]*$")]
    private static partial Regex StepId();

    /// <summary>Every problem of <paramref name="plan"/>; empty when it can run.</summary>
    public static IReadOnlyList<PlanError> Validate(Plan plan, ToolCatalog catalog, int maxSteps)
    {
        var errors = new List<PlanError>();
        if (plan.Steps is not { Count: > 0 })
            return [new PlanError(null, "a plan needs at least one step.")];
        if (plan.Steps.Count > maxSteps)
            errors.Add(new PlanError(null, $"the plan has {plan.Steps.Count} steps, more than the limit of {maxSteps} (execution.max_plan_steps)."));

        var position = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < plan.Steps.Count; i++)
        {
            var id = plan.Steps[i].Id ?? "";
            if (!StepId().IsMatch(id))
                errors.Add(new PlanError(id, "a step id starts with a letter and has only letters, digits, '_' and '-'."));
            else if (!position.TryAdd(id, i))
                errors.Add(new PlanError(id, "two steps have this id: ids must be unique."));
        }

        for (var i = 0; i < plan.Steps.Count; i++)
            CheckStep(plan.Steps[i], i, position, catalog, errors);
        if (errors.Count == 0)
            CheckCycles(plan, errors);
        return errors;
    }

    static void CheckStep(PlanStep step, int index, Dictionary<string, int> position, ToolCatalog catalog, List<PlanError> errors)
    {
        void Error(string message) => errors.Add(new PlanError(step.Id, message));

        var tool = catalog.Find(step.Tool ?? "");
        if (tool is null)
            Error($"unknown tool '{step.Tool}'{SettingNames.DidYouMean(step.Tool ?? "", catalog.Tools.Select(t => t.Name))}.");

        if (step.As is not null && step.ForEach is null)
            Error("\"as\" names the forEach element, but the step has no \"forEach\".");
        // The element's name, unless it clashes with a step id: then references to that name mean the step.
        var item = step.ItemName;
        if (item is not null && position.ContainsKey(item))
        {
            Error($"\"as\": '{item}' is also a step id: pick another name for the forEach element.");
            item = null;
        }
        if (step.ForEach is not null)
        {
            var over = PlanReference.Whole(step.ForEach);
            if (over is null)
                Error($"forEach must be one reference such as \"${{steps.items}}\", not \"{step.ForEach}\".");
            else if (over.Root == item)
                Error($"forEach cannot refer to its own element '{item}'.");
        }

        foreach (var reference in step.References())
        {
            if (!reference.IsValid)
                Error($"{reference.Text} is not a reference: write ${{step}} or ${{step.path[0].field}}.");
            else if (reference.Root == item)
                continue;
            else if (reference.Root == step.Id)
                Error($"{reference.Text} refers to the step itself.");
            else if (!position.TryGetValue(reference.Root, out var at))
                Error($"{reference.Text} refers to unknown step '{reference.Root}'{SettingNames.DidYouMean(reference.Root, position.Keys)}.");
            else if (at > index)
                Error($"{reference.Text} refers to step '{reference.Root}', which comes later: a step may only use the outputs of steps listed before it.");
        }
        foreach (var dependency in step.DependsOn ?? [])
            if (!position.ContainsKey(dependency))
                Error($"dependsOn: unknown step '{dependency}'.");

        if (tool is not null)
            CheckArguments(step, tool, Error);
    }

    /// <summary>
    /// The literal arguments against the input schema. An argument holding a reference is only known at run time:
    /// it is left out, and so is the "required" complaint its absence would cause.
    /// </summary>
    static void CheckArguments(PlanStep step, CatalogTool tool, Action<string> error)
    {
        var args = step.Args ?? [];
        var withReferences = args.Where(p => p.Value is not null && p.Value.ToJsonString().Contains("${", StringComparison.Ordinal))
            .Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var literal = args.Where(p => !withReferences.Contains(p.Key))
            .ToDictionary(p => p.Key, p => p.Value is null ? JsonDocument.Parse("null").RootElement : JsonSerializer.SerializeToElement(p.Value));
        var problems = ArgumentValidator.Validate(tool.Tool, literal)
            .Where(problem => !withReferences.Any(name => problem.StartsWith(name + ":", StringComparison.Ordinal)))
            .ToList();
        if (problems.Count > 0)
            error($"the arguments do not fit the input schema of '{tool.Name}': {string.Join("; ", problems)}.");
    }

    static void CheckCycles(Plan plan, List<PlanError> errors)
    {
        var byId = plan.Steps.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: on the path, true: done
        var path = new Stack<string>();

        bool Visit(string id)
        {
            if (state.TryGetValue(id, out var done))
            {
                if (done)
                    return true;
                var cycle = path.Reverse().SkipWhile(s => s != id).Append(id);
                errors.Add(new PlanError(id, $"the steps {string.Join(" → ", cycle)} depend on each other in a cycle."));
                return false;
            }
            state[id] = false;
            path.Push(id);
            var ok = byId[id].Dependencies.All(Visit);
            path.Pop();
            state[id] = true;
            return ok;
        }

        foreach (var step in plan.Steps)
            if (!Visit(step.Id))
                return;
    }
}
