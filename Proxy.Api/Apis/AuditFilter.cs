using System.Globalization;
using McpOrch.Core.Security;
using Microsoft.AspNetCore.Mvc;

namespace Proxy.Api.Apis;

/// <summary>
/// The filters of <c>GET /admin/audit</c> and <c>GET /admin/audit.csv</c>, bound from the query string: exact
/// <c>caller</c>, <c>server</c>, <c>tool</c>, <c>outcome</c> and <c>source</c>, and the times <c>from</c> (included) and
/// <c>to</c> (excluded).
/// </summary>
/// <param name="From">ISO 8601, e.g. <c>2026-11-24T09:00:00Z</c>; without an offset, UTC.</param>
/// <param name="To">The same form.</param>
public sealed record AuditFilter(
    [FromQuery(Name = "caller")] string? Caller,
    [FromQuery(Name = "server")] string? Server,
    [FromQuery(Name = "tool")] string? Tool,
    [FromQuery(Name = "outcome")] string? Outcome,
    [FromQuery(Name = "source")] string? Source,
    [FromQuery(Name = "from")] string? From,
    [FromQuery(Name = "to")] string? To)
{
    /// <summary>The records that pass; false, with why (for a person), when a time does not parse.</summary>
    public bool TryApply(IQueryable<AuditRecord> records, out IQueryable<AuditRecord> filtered, out string problem)
    {
        filtered = records;
        problem = "";
        if (!TryTime(From, out var after) || !TryTime(To, out var before))
        {
            problem = "from and to are ISO 8601 times, e.g. 2026-11-24T09:00:00Z.";
            return false;
        }
        var (caller, server, tool, outcome, source) = (Caller, Server, Tool, Outcome, Source);
        filtered = records.Where(a => (caller == null || a.Caller == caller) && (server == null || a.Server == server) && (tool == null || a.Tool == tool)
            && (outcome == null || a.Outcome == outcome) && (source == null || a.Source == source)
            && (after == null || a.At >= after) && (before == null || a.At < before));
        return true;
    }

    static bool TryTime(string? text, out DateTime? time)
    {
        time = null;
        if (text is null)
            return true;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            return false;
        time = parsed.UtcDateTime;
        return true;
    }
}
