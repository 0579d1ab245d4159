using System.Text.Json.Serialization;

namespace McpOrch.Core.Security;

/// <summary>The calls to one server (or to all, with <paramref name="Server"/> null) over a window.</summary>
/// <param name="Server">The server's name; null for the total.</param>
/// <param name="Calls">Every audited call.</param>
/// <param name="Errors">Calls whose outcome counts as an error (<see cref="CallStatistics.IsError"/>).</param>
/// <param name="ErrorRate"><paramref name="Errors"/> / <paramref name="Calls"/>, from 0 to 1 (4 decimals); 0 without calls.</param>
/// <param name="P50Ms">The median duration in milliseconds (nearest rank); null without calls.</param>
/// <param name="P99Ms">The 99th percentile duration in milliseconds (nearest rank); null without calls.</param>
/// <param name="Outcomes">Calls by outcome (<see cref="AuditRecord.Outcome"/>), the most frequent first.</param>
/// <param name="Series">Every minute of the window, the oldest first, with or without calls.</param>
public sealed record CallSummary(
    string? Server,
    int Calls,
    int Errors,
    double ErrorRate,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? P50Ms,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? P99Ms,
    IReadOnlyDictionary<string, int> Outcomes,
    IReadOnlyList<MinuteCalls> Series);
