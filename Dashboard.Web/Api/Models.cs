using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Dashboard.Web.Api;

// The bodies of Proxy.Api's REST API as the dashboard reads them. Tools and servers are camelCase, the batch and admin
// APIs snake_case (ProxyApi reads each with the options that fit).

/// <summary>The signed-in caller: <c>GET /me</c>.</summary>
public sealed record Me(string Name, string? Source, IReadOnlyList<string> Permissions, IReadOnlyList<string>? Servers,
    IReadOnlyList<string>? Tools, int? RateLimit);

/// <summary>A server: <c>GET /servers</c>.</summary>
public sealed record ServerInfo(string Name, string Status, string Transport, string? ProtocolVersion, int ToolCount,
    double? UptimeSeconds, int Restarts, string? LastError, string? Command, string? Url,
    IReadOnlyDictionary<string, string> Env, IReadOnlyDictionary<string, string> Headers);

/// <summary>What a reload changed: <c>POST /servers/reload</c>.</summary>
public sealed record ReloadResult(IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<string> Restarted,
    IReadOnlyList<string> Unchanged);

/// <summary>Recent tool calls per server, from the audit log: <c>GET /servers/stats</c>.</summary>
public sealed record CallReport(DateTime From, DateTime To, int Minutes, bool Truncated, CallSummary Total, IReadOnlyList<CallSummary> Servers);

/// <summary>The calls to one server (all, with <see cref="Server"/> null) in the window.</summary>
public sealed record CallSummary(string? Server, int Calls, int Errors, double ErrorRate, double? P50Ms, double? P99Ms,
    IReadOnlyDictionary<string, int> Outcomes, IReadOnlyList<MinuteCalls> Series);

public sealed record MinuteCalls(DateTime Minute, int Calls, int Errors, double? P50Ms);

/// <summary>What a stdio server wrote to stderr in Proxy.Api's process: <c>GET /servers/{name}/stderr</c>.</summary>
public sealed record ServerStandardError(string Server, string Transport, int Capacity, IReadOnlyList<StandardErrorLine> Lines, string? Note);

/// <summary>A line of stderr (<see cref="Kind"/> <c>stderr</c>), or a start of the server's process (<c>start</c>).</summary>
public sealed record StandardErrorLine(DateTime At, string Kind, string Text, int Process);

/// <summary>A tool: <c>GET /tools</c>.</summary>
public sealed record ToolInfo(string Name, string Server, string Tool, string? Title, string? Description,
    JsonElement InputSchema, JsonElement? OutputSchema, ToolAnnotationsInfo? Annotations);

public sealed record ToolAnnotationsInfo(string? Title, bool? ReadOnlyHint, bool? DestructiveHint, bool? IdempotentHint, bool? OpenWorldHint);

/// <summary>A tool call's answer, as the REST API gave it, and how long it took from here.</summary>
public sealed record ToolCallAnswer(int Status, JsonNode? Body, TimeSpan Duration);

/// <summary>A page of runs: <c>GET /batch</c>.</summary>
public sealed record RunPage(IReadOnlyList<RunSummary> Items, int Total, int Offset, int Limit);

public sealed record RunSummary(Guid TaskId, string State, string? Request, string? Error, DateTime CreatedAt, DateTime? CompletedAt);

/// <summary>A run and its steps: <c>GET /batch/status/{id}</c>.</summary>
public sealed record RunStatus(Guid TaskId, string State, string? Request, string? Error, int Replans, DateTime CreatedAt,
    DateTime UpdatedAt, DateTime? CompletedAt, JsonObject? Plan, IReadOnlyList<StepStatus> Steps);

public sealed record StepStatus(string Id, string Tool, string State, int Attempts, int Dispatch, string? Executor, string? Error,
    DateTime? StartedAt, DateTime? CompletedAt, double? DurationMs);

/// <summary>A finished run's outputs: <c>GET /batch/result/{id}</c>.</summary>
public sealed record RunResult(Guid TaskId, string State, string? Answer, string? Error,
    IReadOnlyDictionary<string, JsonNode?> Outputs, IReadOnlyDictionary<string, string> Errors);

/// <summary>The validator's verdict on a plan: <c>POST /batch/validate</c>.</summary>
public sealed record PlanCheck(bool Valid, IReadOnlyList<PlanProblem> Errors);

/// <summary>One problem of a plan; <see cref="Step"/> is null for the plan as a whole.</summary>
public sealed record PlanProblem(string? Step, string Message);

public sealed record RunAccepted(Guid TaskId, string State);

/// <summary>One state change of a run: <c>GET /batch/events/{id}</c>.</summary>
public sealed record RunEvent(string Type, Guid RunId, DateTime At, string? StepId, string? State, int? Dispatch, string? Executor,
    string? Error, IReadOnlyList<string>? Steps, int? Done = null, int? Total = null)
{
    [JsonIgnore]
    public bool IsLast => Type is "run.completed" or "run.failed" or "run.canceled";
}

/// <summary>A key as <c>GET /admin/keys</c> shows it: never the secret.</summary>
public sealed record KeyInfo(string Id, string Name, string Source, string? Prefix, IReadOnlyList<string> Permissions,
    IReadOnlyList<string> Servers, IReadOnlyList<string> Tools, int? RateLimit, DateTime? CreatedAt, DateTime? RevokedAt);

/// <summary>The body of <c>POST /admin/keys</c>.</summary>
public sealed record NewKey(string Name, IReadOnlyList<string> Permissions, IReadOnlyList<string> Servers, IReadOnlyList<string> Tools, int? RateLimit);

/// <summary>A key just made; <see cref="Key"/> is its secret, shown this once.</summary>
public sealed record CreatedKey(string Id, string Name, string Key, string Prefix, IReadOnlyList<string> Permissions);

/// <summary>A page of the audit log: <c>GET /admin/audit</c>.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Items, int Total, int Offset, int Limit);

public sealed record AuditEntry(long Id, DateTime At, string Caller, string Source, string Server, string Tool, string Outcome,
    double DurationMs, long ResultBytes, string? Arguments, string? RunId, string? IdempotencyKey);

/// <summary>The audit log's filters, as the query of <c>GET /admin/audit</c> takes them.</summary>
public sealed record AuditFilter(string? Caller = null, string? Server = null, string? Tool = null, string? Outcome = null,
    string? Source = null, DateTimeOffset? From = null, DateTimeOffset? To = null);
