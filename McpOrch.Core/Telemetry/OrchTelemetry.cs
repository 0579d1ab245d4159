using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace McpOrch.Core.Telemetry;

/// <summary>
/// MCP Orch's own spans and metrics (the source and meter <c>McpOrch.Core</c>, which ServiceDefaults collects with
/// every <c>McpOrch.*</c> one): a span per upstream tool call, tool-call durations and errors by server and tool, batch
/// steps by the state they ended in, and how long a dispatched step waited for an executor.
/// </summary>
public static class OrchTelemetry
{
    public const string Name = "McpOrch.Core";

    public static readonly ActivitySource Source = new(Name);

    /// <summary>
    /// A span of the recovery pass in the trace of the run it acts on (<paramref name="traceParent"/>: the traceparent the
    /// run kept), so that a step dispatched again, or a run planned anew, stays in its run's trace.
    /// </summary>
    public static Activity? StartRecovery(string what, string? traceParent) =>
        Source.StartActivity($"recovery: {what}", ActivityKind.Internal,
            ActivityContext.TryParse(traceParent, null, out var parent) ? parent : default);

    static readonly Meter Meter = new(Name);

    /// <summary>
    /// Bucket boundaries for durations in seconds, from 1 ms to 5 min: OpenTelemetry's default ones (0, 5, 10, 25, …) are
    /// made for milliseconds, and would put every call under 5 s into one bucket (a p50 of "5 s" for a 2 ms call).
    /// </summary>
    public static readonly IReadOnlyList<double> DurationBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60, 120, 300];

    static readonly InstrumentAdvice<double> Seconds = new() { HistogramBucketBoundaries = DurationBuckets };

    static readonly Histogram<double> ToolCallDuration = Meter.CreateHistogram("mcp_orch.tool_call.duration", "s",
        "Tool calls to upstream MCP servers, by server, tool and outcome (ok, tool_error, timeout, unavailable, rejected, cancelled)",
        tags: null, advice: Seconds);

    static readonly Counter<long> ToolCallErrors = Meter.CreateCounter<long>("mcp_orch.tool_call.errors", "{call}",
        "Tool calls that gave no result or an error result, by server, tool and outcome");

    static readonly Counter<long> StepsEnded = Meter.CreateCounter<long>("mcp_orch.batch.steps", "{step}",
        "Batch steps that ended, by state (Succeeded, Failed, Skipped)");

    static readonly Histogram<double> QueueWait = Meter.CreateHistogram("mcp_orch.batch.queue_wait", "s",
        "From a step's dispatch to an executor taking it", tags: null, advice: Seconds);

    static readonly Counter<long> AuditDropped = Meter.CreateCounter<long>("mcp_orch.audit.dropped", "{record}",
        "Audit records dropped because the queue to the database was full");

    static readonly Counter<long> RateLimited = Meter.CreateCounter<long>("mcp_orch.rate_limited", "{call}",
        "Tool calls refused (or delayed, in batch runs) by a caller's rate limit");

    /// <summary>Records one upstream tool call.</summary>
    public static void ToolCall(string server, string tool, string outcome, TimeSpan duration)
    {
        var tags = new TagList { { "mcp.server", server }, { "mcp.tool", tool }, { "outcome", outcome } };
        ToolCallDuration.Record(duration.TotalSeconds, tags);
        if (outcome != "ok")
            ToolCallErrors.Add(1, tags);
    }

    /// <summary>Records a step that ended in <paramref name="state"/>.</summary>
    public static void StepEnded(string state) => StepsEnded.Add(1, new KeyValuePair<string, object?>("state", state));

    /// <summary>Records an audit record that was dropped.</summary>
    public static void AuditRecordDropped() => AuditDropped.Add(1);

    /// <summary>Records a call held back by its caller's rate limit.</summary>
    public static void CallRateLimited(string caller) => RateLimited.Add(1, new KeyValuePair<string, object?>("caller", caller));

    /// <summary>Records how long a step's dispatch waited in the queue.</summary>
    public static void StepQueued(TimeSpan wait) => QueueWait.Record(Math.Max(0, wait.TotalSeconds));
}
