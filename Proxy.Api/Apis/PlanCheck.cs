using System.Text.Json;
using System.Text.Json.Nodes;
using McpOrch.Core.Plans;
using McpOrch.Core.Security;
using McpOrch.Core.Upstreams;

namespace Proxy.Api.Apis;

/// <summary>
/// An explicit plan checked the one way <c>POST /batch/execute</c> and <c>POST /batch/validate</c> both check it: it
/// parses as a plan, the <see cref="PlanValidator"/> finds nothing wrong against the current catalog, and every step's
/// tool is in the caller's allow-list. So a plan that validates is a plan that execute accepts.
/// </summary>
/// <param name="Plan">The parsed plan; null when <paramref name="NotAPlan"/> says why there is none.</param>
/// <param name="NotAPlan">Why the JSON is not a plan at all (wrong types, say), for a person.</param>
/// <param name="Errors">The validator's problems, by step.</param>
/// <param name="Denied">A problem for each step whose tool exists but is outside the allow-list.</param>
/// <param name="DeniedTools">Those tools, each once.</param>
public sealed record PlanCheck(Plan? Plan, string? NotAPlan, IReadOnlyList<PlanError> Errors, IReadOnlyList<PlanError> Denied,
    IReadOnlyList<string> DeniedTools)
{
    /// <summary>Whether the plan may run.</summary>
    public bool Valid => NotAPlan is null && Errors.Count == 0 && Denied.Count == 0;

    /// <summary>Every problem, the plan's as a whole (step null) first.</summary>
    public IEnumerable<PlanError> Problems => (NotAPlan is null ? [] : new[] { new PlanError(null, NotAPlan) }).Concat(Errors).Concat(Denied);

    /// <summary>Checks <paramref name="json"/> for <paramref name="caller"/>, once every server made its first connection attempt.</summary>
    public static async Task<PlanCheck> RunAsync(JsonObject json, Caller caller, UpstreamRegistry upstreams, int maxSteps,
        CancellationToken cancellationToken)
    {
        Plan plan;
        try
        {
            plan = Plan.Parse(json.ToJsonString());
        }
        catch (JsonException e)
        {
            return new(null, $"\"plan\" is not a plan ({e.Message.Split(" Path:")[0]}); the format is in README, \"Batch jobs\".", [], [], []);
        }
        await upstreams.WaitForFirstAttemptsAsync(cancellationToken);
        // One snapshot for both checks: a tool the validator found is one the allow-list check finds.
        var catalog = upstreams.Catalog;
        var denied = (plan.Steps ?? []).Select(step => (step.Id, Tool: catalog.Find(step.Tool ?? "")))
            .Where(s => s.Tool is { } tool && !caller.Scope.Allows(tool.Server, tool.Name))
            .Select(s => (s.Id, s.Tool!.Name)).ToList();
        return new(plan, null, PlanValidator.Validate(plan, catalog, maxSteps),
            [.. denied.Select(d => new PlanError(d.Id, $"'{caller.Name}' may not call '{d.Name}': it is outside the key's allow-list."))],
            [.. denied.Select(d => d.Name).Distinct()]);
    }
}
