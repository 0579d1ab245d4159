namespace McpOrch.Core.Security;

/// <summary>One tool call in the audit log.</summary>
public sealed class AuditRecord
{
    public long Id { get; set; }

    public DateTime At { get; set; }

    /// <summary>The key's (or token's) name.</summary>
    public string Caller { get; set; } = "";

    /// <summary>How the call came: <c>rest</c>, <c>mcp</c> or <c>batch</c>.</summary>
    public string Source { get; set; } = "";

    public string Server { get; set; } = "";

    public string Tool { get; set; } = "";

    /// <summary><c>ok</c>, <c>tool_error</c>, <c>timeout</c>, <c>unavailable</c>, <c>rejected</c>, <c>denied</c>, <c>rate_limited</c> or <c>too_large</c>.</summary>
    public string Outcome { get; set; } = "";

    public double DurationMs { get; set; }

    /// <summary>The result's size as JSON; 0 when there was none.</summary>
    public long ResultBytes { get; set; }

    /// <summary>The arguments, redacted or hashed (<c>security.audit_arguments</c>).</summary>
    public string? Arguments { get; set; }

    /// <summary>The batch run the call belongs to (its id as text: the writer's plain INSERT needs no provider types).</summary>
    public string? RunId { get; set; }
}
