namespace McpOrch.Core.Security;

/// <summary>One tool call in the audit log.</summary>
public sealed class AuditRecord
{
    public long Id { get; set; }

    public DateTime At { get; set; }

    /// <summary>The key's (or token's) name.</summary>
    public string Caller { get; set; } = "";

    /// <summary>How the call came: <c>rest</c>, <c>mcp</c>, <c>batch</c> or <c>passthrough</c>.</summary>
    public string Source { get; set; } = "";

    public string Server { get; set; } = "";

    public string Tool { get; set; } = "";

    /// <summary><c>ok</c>, <c>tool_error</c>, <c>timeout</c>, <c>unavailable</c>, <c>rejected</c>, <c>denied</c>, <c>rate_limited</c>, <c>invalid_arguments</c>, <c>too_large</c> or <c>cancelled</c>.</summary>
    public string Outcome { get; set; } = "";

    public double DurationMs { get; set; }

    /// <summary>The result's size as JSON; 0 when there was none.</summary>
    public long ResultBytes { get; set; }

    /// <summary>The arguments, redacted or hashed (<c>security.audit_arguments</c>).</summary>
    public string? Arguments { get; set; }

    /// <summary>The batch run the call belongs to (its id as text: the writer's plain INSERT needs no provider types).</summary>
    public string? RunId { get; set; }

    /// <summary>A batch step's call: its idempotency key, the same on every re-run of the call (see <see cref="Runs.StepRunner.IdempotencyKeyMeta"/>).</summary>
    public string? IdempotencyKey { get; set; }

    // The columns' lengths. A longer value (a JWT's name, a tool name a passthrough client made up) is cut to fit
    // when the record is written: a value the database refuses would stop the whole batch it is in.
    public const int CallerLength = 128, SourceLength = 16, ServerLength = 128, ToolLength = 256, OutcomeLength = 24, RunIdLength = 36,
        IdempotencyKeyLength = 200;

    /// <summary>This record with every text cut to its column.</summary>
    public AuditRecord Bounded()
    {
        Caller = Cut(Caller, CallerLength);
        Source = Cut(Source, SourceLength);
        Server = Cut(Server, ServerLength);
        Tool = Cut(Tool, ToolLength);
        Outcome = Cut(Outcome, OutcomeLength);
        RunId = RunId is null ? null : Cut(RunId, RunIdLength);
        IdempotencyKey = IdempotencyKey is null ? null : Cut(IdempotencyKey, IdempotencyKeyLength);
        return this;
    }

    static string Cut(string value, int length) => value.Length <= length ? value : value[..length];
}
