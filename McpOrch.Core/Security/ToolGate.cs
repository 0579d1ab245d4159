using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpOrch.Core.Configuration;
using McpOrch.Core.Telemetry;
using McpOrch.Core.Upstreams;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpOrch.Core.Security;

/// <summary>One tool call on behalf of a caller.</summary>
/// <param name="Caller">Who asks.</param>
/// <param name="Source"><c>rest</c>, <c>mcp</c> or <c>batch</c>, for the audit log.</param>
/// <param name="Server">The upstream server.</param>
/// <param name="Tool">The tool's own name on that server.</param>
/// <param name="Name">The tool's namespaced name, which allow-lists match.</param>
/// <param name="Arguments">The arguments.</param>
public sealed record ToolCall(Caller Caller, string Source, string Server, string Tool, string Name, IDictionary<string, JsonElement>? Arguments)
{
    /// <summary>The batch run the call belongs to.</summary>
    public Guid? RunId { get; init; }

    /// <summary>A batch step's call: the same on every re-run of it, for the audit log (the server has it in <c>_meta</c>).</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Wait out the caller's rate limit instead of failing (batch steps, which nobody is waiting on).</summary>
    public bool WaitForRateLimit { get; init; }

    /// <summary>The MCP client session of the call, which hears its progress and the server's requests while it runs.</summary>
    public IDownstream? Downstream { get; init; }

    /// <summary>The connection to use instead of the server's shared one (a session's own, for <c>"isolation": "session"</c>).</summary>
    public UpstreamConnection? Connection { get; init; }

    /// <summary>The client request's <c>_meta</c> (its progress token, among others), passed on to the server.</summary>
    public JsonObject? Meta { get; init; }

    /// <summary>
    /// Why the arguments cannot be used, as the endpoint found (a REST body that is not a JSON object or does not fit the
    /// tool's input schema, MCP <c>arguments</c> that are not an object): the gate refuses the call with it once the
    /// caller's permission and allow-list are checked, and audits it as <c>invalid_arguments</c>.
    /// </summary>
    public string? ArgumentsProblem { get; init; }
}

/// <summary>
/// The one way a tool is called on someone's behalf, over REST, MCP and in batch steps alike: checks the caller's
/// permission, allow-list, rate limit and the arguments, calls the server (whose connection refuses a result larger
/// than <c>security.max_result_bytes</c>), and audits the call whatever its outcome.
/// </summary>
public sealed class ToolGate(UpstreamRegistry upstreams, IRateLimiter limiter, AuditLog audit, IOptions<OrchOptions> options, TimeProvider time)
{
    SecurityOptions Security => options.Value.Security;

    /// <exception cref="ToolCallException">No result: refused by the gateway, or by the server, or the server failed.</exception>
    public async Task<CallToolResult> CallAsync(ToolCall call, CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow().UtcDateTime;
        var started = Stopwatch.GetTimestamp();
        long size = 0;
        var outcome = "cancelled";
        try
        {
            Check(call);
            await AcquireAsync(call, cancellationToken);
            var connection = call.Connection ?? upstreams.Find(call.Server)
                ?? throw Refused(call, ToolCallFailure.Unavailable, $"MCP server '{call.Server}' is no longer configured.");
            var result = await connection.CallToolAsync(call.Tool, call.Arguments, cancellationToken, call.Downstream, call.Meta);
            size = JsonSerializer.SerializeToUtf8Bytes(result, McpJsonUtilities.DefaultOptions).LongLength;
            outcome = result.IsError == true ? "tool_error" : "ok";
            return result;
        }
        catch (ToolCallException e)
        {
            outcome = Outcome(e.Failure);
            throw;
        }
        finally
        {
            audit.Write(new AuditRecord
            {
                At = at, Caller = call.Caller.Name, Source = call.Source, Server = call.Server, Tool = call.Tool, Outcome = outcome,
                DurationMs = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3), ResultBytes = size,
                Arguments = audit.Arguments(call.Arguments), RunId = call.RunId?.ToString(),
                IdempotencyKey = call.IdempotencyKey,
            });
        }
    }

    void Check(ToolCall call)
    {
        var caller = call.Caller;
        if (!caller.Has(Permission.Execute))
            throw Refused(call, ToolCallFailure.Denied, $"'{caller.Name}' may not call tools: it lacks the execute permission.");
        if (!caller.Scope.Allows(call.Server, call.Name))
            throw Refused(call, ToolCallFailure.Denied, $"'{caller.Name}' may not call '{call.Name}': it is outside the key's allow-list" +
                $"{Patterns("servers", caller.Scope.Servers)}{Patterns("tools", caller.Scope.Tools)}.");
        if (call.ArgumentsProblem is { } problem)
            throw Refused(call, ToolCallFailure.InvalidArguments, problem);
        if (call.Arguments is { } arguments && arguments.Values.Select(v => Depth(v) + 1).DefaultIfEmpty(1).Max() is var depth && depth > Security.MaxJsonDepth)
            throw Refused(call, ToolCallFailure.InvalidArguments,
                $"The arguments of '{call.Name}' nest {depth} levels deep, more than security.max_json_depth ({Security.MaxJsonDepth}).");
    }

    async Task AcquireAsync(ToolCall call, CancellationToken cancellationToken)
    {
        var perMinute = call.Caller.RateLimit ?? Security.RateLimit;
        if (perMinute == 0)
            return;
        while (true)
        {
            var decision = await limiter.TryAcquireAsync(call.Caller.Id, perMinute, cancellationToken);
            if (decision.Allowed)
                return;
            OrchTelemetry.CallRateLimited(call.Caller.Name);
            if (!call.WaitForRateLimit)
                throw new ToolCallException(call.Server, call.Tool, ToolCallFailure.RateLimited,
                    $"'{call.Caller.Name}' may make {perMinute} tool calls a minute and has used them: try again in " +
                    $"{Math.Ceiling(decision.RetryAfter.TotalSeconds):0} s.") { RetryAfter = decision.RetryAfter };
            await Task.Delay(decision.RetryAfter, time, cancellationToken);
        }
    }

    static ToolCallException Refused(ToolCall call, ToolCallFailure failure, string message) => new(call.Server, call.Tool, failure, message);

    static string Patterns(string what, IReadOnlyList<string> patterns) => patterns.Count == 0 ? "" : $" ({what}: {string.Join(", ", patterns)})";

    static int Depth(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => 1 + element.EnumerateObject().Select(p => Depth(p.Value)).DefaultIfEmpty(0).Max(),
        JsonValueKind.Array => 1 + element.EnumerateArray().Select(Depth).DefaultIfEmpty(0).Max(),
        _ => 0,
    };

    static string Outcome(ToolCallFailure failure) => failure switch
    {
        ToolCallFailure.RateLimited => "rate_limited",
        ToolCallFailure.InvalidArguments => "invalid_arguments",
        ToolCallFailure.TooLarge => "too_large",
        _ => failure.ToString().ToLowerInvariant(),
    };
}
