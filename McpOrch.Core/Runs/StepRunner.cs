using System.Text.Json;
using System.Text.Json.Nodes;
using McpOrch.Core.Configuration;
using McpOrch.Core.Plans;
using McpOrch.Core.Security;
using McpOrch.Core.Upstreams;

namespace McpOrch.Core.Runs;

/// <summary>
/// Runs one step: resolves its arguments from earlier outputs, fans a forEach step out over its elements, calls
/// the tool with the server's timeout, and retries transient failures (a timeout, a lost connection) with backoff —
/// never a tool's own <c>isError</c> result, which is an answer, not an accident. Calls go through the
/// <see cref="ToolGate"/> as the run's caller: its allow-list, rate limit (waited out) and audit apply.
/// </summary>
/// <param name="RunId">The run, for the audit log.</param>
/// <param name="Caller">Who started the run.</param>
/// <param name="Slots">Limits how many calls of the run are in flight (<c>execution.max_parallel_tasks</c>).</param>
/// <param name="Progress">Told (done, total) when a forEach step's elements are known and as each one is done.</param>
public sealed record StepContext(Guid RunId, Caller Caller, SemaphoreSlim Slots, Func<int, int, Task>? Progress = null);

/// <inheritdoc cref="StepContext"/>
public sealed class StepRunner(ToolGate gate, UpstreamRegistry upstreams, ExecutionOptions execution)
{
    /// <summary>
    /// The <c>_meta</c> key of a step call's idempotency key: <c>{run id}/{step id}</c>, and <c>/{index}</c> for an
    /// element of a forEach step. Every attempt and every re-run of the call (after an executor was lost) carries the
    /// same key, so a server with side effects can do the work once.
    /// </summary>
    public const string IdempotencyKeyMeta = "mcp-orch/idempotency-key";

    static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(200);
    static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>The outcome of <paramref name="step"/>, and how many calls it took including retries.</summary>
    /// <param name="step">The step.</param>
    /// <param name="outputs">The outputs of the steps it depends on, by id.</param>
    /// <param name="context">The run the step belongs to.</param>
    /// <param name="cancellationToken">Cancels the step; calls in flight are cancelled upstream.</param>
    public async Task<(StepOutcome Outcome, int Attempts)> RunAsync(PlanStep step, IReadOnlyDictionary<string, JsonNode?> outputs,
        StepContext context, CancellationToken cancellationToken)
    {
        var attempts = 0;
        try
        {
            if (step.ForEach is null)
            {
                var (output, calls) = await CallAsync(step, outputs, item: null, $"{context.RunId}/{step.Id}", context, cancellationToken);
                attempts = calls;
                return (new StepOutcome(output), attempts);
            }
            var items = ReferenceResolver.ForEachItems(step, name => outputs[name], execution.MaxFanOut);
            var done = 0;
            await ReportAsync(context, 0, items.Count);
            var results = await Task.WhenAll(items.Select(async (item, index) =>
            {
                try
                {
                    var result = await CallAsync(step, outputs, item, $"{context.RunId}/{step.Id}/{index}", context, cancellationToken);
                    await ReportAsync(context, Interlocked.Increment(ref done), items.Count);
                    return result;
                }
                catch (StepFailedException e)
                {
                    throw new StepFailedException($"element [{index}]: {e.Message}", e.Attempts);
                }
            }));
            attempts = results.Sum(r => r.Attempts);
            return (new StepOutcome(new JsonArray([.. results.Select(r => r.Output)])), attempts);
        }
        catch (StepFailedException e)
        {
            return (StepOutcome.Failed(e.Message), Math.Max(attempts, e.Attempts));
        }
        catch (PlanReferenceException e)
        {
            return (StepOutcome.Failed(e.Message), attempts);
        }
    }

    static Task ReportAsync(StepContext context, int done, int total) => context.Progress?.Invoke(done, total) ?? Task.CompletedTask;

    async Task<(JsonNode? Output, int Attempts)> CallAsync(PlanStep step, IReadOnlyDictionary<string, JsonNode?> outputs, JsonNode? item,
        string idempotencyKey, StepContext context, CancellationToken cancellationToken)
    {
        var args = ReferenceResolver.Resolve(step.Args, name => name == step.ItemName ? item : outputs[name]);
        var arguments = args.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value));
        var meta = new JsonObject { [IdempotencyKeyMeta] = idempotencyKey }; // Copied into each request.
        for (var attempt = 1; ; attempt++)
        {
            var tool = await upstreams.FindToolAsync(step.Tool, cancellationToken)
                ?? throw new StepFailedException($"tool '{step.Tool}' is not in the catalog (its server may be down).", attempt);
            await context.Slots.WaitAsync(cancellationToken);
            try
            {
                var call = new ToolCall(context.Caller, "batch", tool.Server, tool.UpstreamName, tool.Name, arguments)
                {
                    RunId = context.RunId, WaitForRateLimit = true, IdempotencyKey = idempotencyKey,
                    Meta = meta,
                };
                var result = await gate.CallAsync(call, cancellationToken);
                if (result.IsError == true)
                    throw new StepFailedException($"{step.Tool} returned an error: {StepOutput.Text(result)}", attempt);
                return (StepOutput.From(result), attempt);
            }
            catch (ToolCallException e) when (e.IsTransient && attempt <= execution.RetryCount)
            {
                // Transient: try again after a pause that doubles each time.
            }
            catch (ToolCallException e)
            {
                throw new StepFailedException(attempt > 1 ? $"{e.Message} (after {attempt} attempts)" : e.Message, attempt);
            }
            finally
            {
                context.Slots.Release();
            }
            var delay = TimeSpan.FromMilliseconds(Math.Min(MaxRetryDelay.TotalMilliseconds, FirstRetryDelay.TotalMilliseconds * Math.Pow(2, attempt - 1)));
            await Task.Delay(delay, cancellationToken);
        }
    }

    sealed class StepFailedException(string message, int attempts) : Exception(message)
    {
        public int Attempts { get; } = attempts;
    }
}
