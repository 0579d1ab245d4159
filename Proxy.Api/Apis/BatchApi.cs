using System.Net.ServerSentEvents;
using System.Security.Claims;
using System.Text.Json;
using MassTransit;
using McpOrch.Core.Batch;
using McpOrch.Core.Batch.Messages;
using McpOrch.Core.Configuration;
using McpOrch.Core.Plans;
using McpOrch.Core.Runs;
using McpOrch.Core.Upstreams;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Proxy.Api.Security;

namespace Proxy.Api.Apis;

/// <summary>Batch runs: submit a request or a plan, follow it, read its result, cancel it.</summary>
public static partial class BatchApi
{
    const string PlanExample = """{"plan": {"steps": [{"id": "a", "tool": "server.tool", "args": {}}]}}""";

    /// <summary>For the body, already held to security.max_json_depth when it was parsed: this limit must not be lower.</summary>
    static readonly JsonSerializerOptions BodyJson = new(JsonSerializerOptions.Web) { MaxDepth = SecurityOptions.MaxJsonDepthLimit };

    public static IEndpointRouteBuilder MapBatchApi(this IEndpointRouteBuilder routes)
    {
        var batch = routes.MapGroup("/batch").WithTags("Batch");
        batch.MapPost("/execute", Execute).WithSummary("Start a run from a natural-language request or an explicit plan")
            .Requires(Permission.Execute)
            .AcceptsJson<BatchRequest>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        batch.MapPost("/validate", Validate).WithSummary("Check an explicit plan as execute would, without running it: every problem by step")
            .Requires(Permission.Execute)
            .AcceptsJson<BatchRequest>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        batch.MapGet("/", List).WithSummary("Runs, newest first, paged with offset and limit; state filters by one or more states").Requires(Permission.Read);
        batch.MapGet("/status/{id}", Status).WithSummary("A run's state and every step's state, attempts, timings and error").Requires(Permission.Read);
        batch.MapGet("/result/{id}", Result).WithSummary("A finished run's outputs and answer (409 while it runs)").Requires(Permission.Read);
        batch.MapDelete("/cancel/{id}", Cancel).WithSummary("Cancel a run: pending steps never start, running ones are cancelled upstream")
            .Requires(Permission.Execute);
        batch.MapGet("/events/{id}", Events).WithSummary("A run's state changes as server-sent events, resumable with Last-Event-ID")
            .Requires(Permission.Read)
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .Produces(StatusCodes.Status204NoContent);
        return routes;
    }

    public static async Task<Results<Accepted<BatchAccepted>, ProblemHttpResult>> Execute(HttpRequest http, RunStore store, IRunEventLog events,
        IPublishEndpoint bus, UpstreamRegistry upstreams, IOptions<OrchOptions> options, OrchSettings settings, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var caller = http.HttpContext.User.Caller();
        var (body, error) = await JsonBody.ReadAsync<BatchRequest>(http, options.Value.Security.MaxJsonDepth, BodyJson, cancellationToken);
        if (error is not null)
            return BadRequest($"{error} Send {{\"request\": \"what to do\"}} or {PlanExample}.");
        var request = string.IsNullOrWhiteSpace(body?.Request) ? null : body.Request.Trim();
        if ((request is null) == (body?.Plan is null))
            return BadRequest($"Send exactly one of \"request\" (what to do, in words: an LLM plans it) and \"plan\" (the steps to run), e.g. {PlanExample}.");

        Plan? plan = null;
        if (body!.Plan is { } json)
        {
            var check = await PlanCheck.RunAsync(json, caller, upstreams, options.Value.Execution.MaxPlanSteps, cancellationToken);
            if (check.NotAPlan is { } notAPlan)
                return BadRequest(notAPlan);
            if (check.Errors.Count > 0)
                return TypedResults.Problem($"The plan cannot run: {string.Join(" ", check.Errors.Select(e => e.ToString()))}",
                    statusCode: StatusCodes.Status400BadRequest, title: "Invalid plan",
                    extensions: new Dictionary<string, object?> { ["errors"] = check.Errors.Select(e => e.ToString()).ToArray() });
            if (check.DeniedTools.Count > 0)
                return TypedResults.Problem($"'{caller.Name}' may not call {string.Join(", ", check.DeniedTools)}: outside the key's allow-list.",
                    statusCode: StatusCodes.Status403Forbidden, title: "Tool not allowed");
            plan = check.Plan;
        }
        else if (options.Value.Llm.Provider is null)
            return TypedResults.Problem(settings.LlmProblem is { } found
                ? $"No LLM can plan natural-language requests: {found} Or send an explicit plan instead: {PlanExample}"
                : "No LLM is configured to plan natural-language requests. Set llm.provider in config.yaml (openai, azure, anthropic, bedrock or ollama) " +
                    "with its settings, e.g. OPENAI_API_KEY and llm.openai.model, or send an explicit plan instead: " + PlanExample,
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "No planner available");

        var run = await store.CreateAsync(request, plan, options.Value.Execution.StepLease, cancellationToken, caller);
        await events.AppendAsync(RunEvent.ForRun(run.Id, RunState.Pending, run.CreatedAt) with { Type = "run.created", State = run.State.ToString() },
            cancellationToken);
        try
        {
            await bus.Publish(new PlanRun(run.Id), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Stored is accepted: the planner's recovery pass finds the run when its claim deadline passes.
            LogNotPublished(loggers.CreateLogger(typeof(BatchApi)), run.Id, e.Message);
        }
        var links = BatchLinks.For(run.Id);
        return TypedResults.Accepted(links.Status, new BatchAccepted(run.Id, run.State, links));
    }

    /// <summary>
    /// The checks of <see cref="Execute"/> for an explicit plan, every problem in one answer (200 either way), so that an
    /// editor can show each step's. A body that is not JSON or holds no plan is a 400, as for execute.
    /// </summary>
    public static async Task<Results<Ok<PlanValidation>, ProblemHttpResult>> Validate(HttpRequest http, UpstreamRegistry upstreams,
        IOptions<OrchOptions> options, CancellationToken cancellationToken)
    {
        var (body, error) = await JsonBody.ReadAsync<BatchRequest>(http, options.Value.Security.MaxJsonDepth, BodyJson, cancellationToken);
        if (error is not null)
            return BadRequest($"{error} Send {PlanExample}.");
        if (body?.Plan is not { } json)
            return BadRequest(body?.Request is null
                ? $"Send the plan to check as \"plan\", e.g. {PlanExample}."
                : $"Only an explicit plan can be checked: a request in words is planned by the LLM when it runs (POST /batch/execute). Send {PlanExample}.");
        var check = await PlanCheck.RunAsync(json, http.HttpContext.User.Caller(), upstreams, options.Value.Execution.MaxPlanSteps, cancellationToken);
        return TypedResults.Ok(new PlanValidation(check.Valid, [.. check.Problems.Select(p => new PlanProblem(p.StepId, p.Message))]));
    }

    /// <param name="state">Runs in any of these states (repeated, <c>?state=Running&amp;state=Failed</c>, or separated by commas); none: every run.</param>
    public static async Task<Results<Ok<BatchPage>, ProblemHttpResult>> List(ClaimsPrincipal user, RunStore store, CancellationToken cancellationToken,
        int offset = 0, int limit = 20, string[]? state = null)
    {
        if (offset < 0 || limit is < 1 or > 100)
            return BadRequest("offset must be 0 or more, and limit between 1 and 100.");
        var states = new HashSet<RunState>();
        foreach (var name in (state ?? []).SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!Enum.TryParse<RunState>(name, ignoreCase: true, out var parsed) || int.TryParse(name, out _))
                return BadRequest($"state '{name}' is not one: the states are {string.Join(", ", Enum.GetNames<RunState>())} " +
                    "(give several as ?state=Running&state=Failed).");
            states.Add(parsed);
        }
        var caller = user.Caller();
        var (runs, total) = await store.ListAsync(offset, limit, states, cancellationToken, owner: caller.Has(Permission.Write) ? null : caller.Id);
        return TypedResults.Ok(new BatchPage([.. runs.Select(BatchSummary.From)], total, offset, limit));
    }

    public static async Task<Results<Ok<BatchStatus>, ProblemHttpResult>> Status(string id, ClaimsPrincipal user, RunStore store,
        CancellationToken cancellationToken) =>
        await FindAsync(id, user, store, cancellationToken) is { } run ? TypedResults.Ok(BatchStatus.From(run)) : UnknownRun(id);

    public static async Task<Results<Ok<BatchResult>, ProblemHttpResult>> Result(string id, ClaimsPrincipal user, RunStore store,
        CancellationToken cancellationToken)
    {
        if (await FindAsync(id, user, store, cancellationToken) is not { } run)
            return UnknownRun(id);
        if (!HasEnded(run.State))
            return TypedResults.Problem(
                $"Run {id} is {run.State} and has no result yet. GET /batch/status/{id} shows its progress, GET /batch/events/{id} follows it.",
                statusCode: StatusCodes.Status409Conflict, title: "Run not finished");
        var steps = BatchStatus.StepsInPlanOrder(run).ToList();
        return TypedResults.Ok(new BatchResult(run.Id, run.State, run.Answer, run.Error,
            steps.Where(s => s.State == StepState.Succeeded).ToDictionary(s => s.StepId, s => s.Output is null ? null : System.Text.Json.Nodes.JsonNode.Parse(s.Output)),
            steps.Where(s => s.Error is not null).ToDictionary(s => s.StepId, s => s.Error!)));
    }

    public static async Task<Results<Ok<BatchSummary>, ProblemHttpResult>> Cancel(string id, ClaimsPrincipal user, RunStore store, IRunEventLog events,
        RunCancellation cancellation, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, user, store, cancellationToken) is not { Id: var runId } || await store.CancelAsync(runId, cancellationToken) is not { } outcome)
            return UnknownRun(id);
        // A run cancelled before (by this caller or another) has ended too: the README promises 409 for every ended run.
        if (!outcome.Changed)
            return TypedResults.Problem($"Run {id} already ended {outcome.State}; there is nothing to cancel.",
                statusCode: StatusCodes.Status409Conflict, title: "Run already ended");
        await cancellation.SignalAsync(runId);
        var run = (await store.FindAsync(runId, cancellationToken))!;
        await events.AppendAsync(RunEvent.ForRun(runId, RunState.Canceled, BatchStatus.Utc(run.CompletedAt ?? run.UpdatedAt)), cancellationToken);
        return TypedResults.Ok(BatchSummary.From(run));
    }

    public static async Task<IResult> Events(string id, HttpRequest http, RunStore store, IRunEventLog events, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, http.HttpContext.User, store, cancellationToken) is not { } run)
            return UnknownRun(id);
        var runId = run.Id;
        var lastEventId = http.Headers["Last-Event-ID"].FirstOrDefault() ?? http.Query["last_event_id"].FirstOrDefault();
        if (!HasEnded(run.State))
            return TypedResults.ServerSentEvents(Items(events.ReadAsync(runId, lastEventId, follow: true, cancellationToken)));

        // An ended run: what the log still has, and its last event from the database if the log lost it (it expires).
        var logged = await events.ReadAsync(runId, lastEventId, follow: false, cancellationToken).ToListAsync(cancellationToken);
        if (logged.Count == 0 && lastEventId is not null)
            return TypedResults.NoContent(); // The client has seen everything: 204 stops an EventSource reconnecting.
        if (logged.Count == 0 || !logged[^1].Event.IsLast)
            logged.Add(("end", RunEvent.ForRun(runId, run.State, BatchStatus.Utc(run.CompletedAt ?? run.UpdatedAt), run.Error)));
        return TypedResults.ServerSentEvents(Items(logged.ToAsyncEnumerable()));
    }

    static async IAsyncEnumerable<SseItem<string>> Items(IAsyncEnumerable<(string Id, RunEvent Event)> events)
    {
        await foreach (var (id, runEvent) in events)
            yield return new SseItem<string>(JsonSerializer.Serialize(runEvent, RunEvent.JsonOptions), runEvent.Type) { EventId = id };
    }

    /// <summary>
    /// The run with its steps; null for an unknown id, for text that is not an id at all, and for another caller's
    /// run (unless this caller has the write permission): a run's outputs are its caller's.
    /// </summary>
    static async Task<RunRecord?> FindAsync(string id, ClaimsPrincipal user, RunStore store, CancellationToken cancellationToken)
    {
        var caller = user.Caller();
        return Guid.TryParse(id, out var runId) && await store.FindAsync(runId, cancellationToken) is { } run
            && (run.Owner == caller.Id || caller.Has(Permission.Write))
            ? run
            : null;
    }

    static bool HasEnded(RunState state) => state is RunState.Completed or RunState.Failed or RunState.Canceled;

    static ProblemHttpResult UnknownRun(string id) =>
        TypedResults.Problem($"No batch run has the id '{id}': GET /batch lists the runs, and POST /batch/execute returns the task_id of a new one.",
            statusCode: StatusCodes.Status404NotFound, title: "Unknown run");

    static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid batch request");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} is stored but its planning message was not sent ({Reason}); the recovery pass will send it.")]
    static partial void LogNotPublished(ILogger logger, Guid runId, string reason);
}
