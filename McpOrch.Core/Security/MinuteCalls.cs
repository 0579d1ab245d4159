using System.Text.Json.Serialization;

namespace McpOrch.Core.Security;

/// <summary>The calls that started in one minute, for charts.</summary>
/// <param name="Minute">The minute's start (UTC).</param>
/// <param name="Calls">Calls that started in it.</param>
/// <param name="Errors">Those whose outcome counts as an error.</param>
/// <param name="P50Ms">Their median duration in milliseconds; null without calls.</param>
public sealed record MinuteCalls(DateTime Minute, int Calls, int Errors,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? P50Ms);
