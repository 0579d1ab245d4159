namespace McpOrch.Core.Security;

/// <summary>What <see cref="CallStatistics"/> found for a window of minutes.</summary>
/// <param name="From">The window's start: the start of its first minute (UTC).</param>
/// <param name="To">When the report was made; the window's last minute is the current one.</param>
/// <param name="Minutes">The window's length in minutes, the current one included.</param>
/// <param name="Truncated">More than <see cref="CallStatistics.MaxCalls"/> calls fell in the window: the figures cover the newest of them.</param>
/// <param name="Total">All the servers' calls together.</param>
/// <param name="Servers">Each server's, in the order asked for.</param>
public sealed record CallReport(DateTime From, DateTime To, int Minutes, bool Truncated, CallSummary Total, IReadOnlyList<CallSummary> Servers);
