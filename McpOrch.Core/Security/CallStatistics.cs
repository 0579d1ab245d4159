using McpOrch.Core.Runs;
using Microsoft.EntityFrameworkCore;

namespace McpOrch.Core.Security;

/// <summary>
/// Recent tool calls per server, read from the audit log: every process writes it (REST, MCP and passthrough calls of
/// every proxy replica, batch steps of every executor), so every replica gives the same figures. The window is the
/// current minute and the <c>minutes - 1</c> before it. The calls' (server, time, duration, outcome) are read newest
/// first through the index on <see cref="AuditRecord.At"/> and counted here, in memory: SQLite has no percentile
/// function, and one way of counting gives the same figures on both databases. At most <see cref="MaxCalls"/> are read;
/// past that the report says <see cref="CallReport.Truncated"/> and covers the newest ones.
/// </summary>
public sealed class CallStatistics(OrchDbContext db, TimeProvider time)
{
    /// <summary>The most calls one report reads.</summary>
    public const int MaxCalls = 100_000;

    /// <summary>The longest window, a day.</summary>
    public const int MaxMinutes = 1440;

    /// <summary>
    /// Whether a call's outcome counts as an error: every outcome but <c>ok</c> and, through the passthrough, <c>forwarded</c>
    /// (a success answer, whose bytes are not read). The tool's own error result (<c>tool_error</c>), failures, the caller
    /// cancelling, and the gateway's refusals (<c>denied</c>, <c>rate_limited</c>, <c>invalid_arguments</c>) all count;
    /// <see cref="CallSummary.Outcomes"/> tells them apart.
    /// </summary>
    public static bool IsError(string outcome) => outcome is not ("ok" or "forwarded");

    /// <summary>The calls of the last <paramref name="minutes"/> to each of <paramref name="servers"/>, in their order, and to all of them.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minutes"/> is not from 1 to <see cref="MaxMinutes"/>.</exception>
    public async Task<CallReport> ReportAsync(IReadOnlyList<string> servers, int minutes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minutes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minutes, MaxMinutes);
        var now = time.GetUtcNow().UtcDateTime;
        var from = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc).AddMinutes(1 - minutes);
        var end = from.AddMinutes(minutes);

        var tallies = servers.Distinct(StringComparer.Ordinal).ToDictionary(s => s, _ => new Tally(minutes), StringComparer.Ordinal);
        var read = 0;
        if (tallies.Count > 0)
        {
            var names = tallies.Keys.ToList();
            var calls = db.Audit.AsNoTracking()
                .Where(a => a.At >= from && a.At < end && names.Contains(a.Server))
                .OrderByDescending(a => a.At)
                .Take(MaxCalls + 1)
                .Select(a => new { a.Server, a.At, a.DurationMs, a.Outcome });
            await foreach (var call in calls.AsAsyncEnumerable().WithCancellation(cancellationToken))
            {
                if (++read > MaxCalls)
                    break;
                var minute = (int)((call.At.Ticks - from.Ticks) / TimeSpan.TicksPerMinute);
                tallies[call.Server].Add(Math.Clamp(minute, 0, minutes - 1), call.DurationMs, call.Outcome);
            }
        }
        var summaries = servers.Distinct(StringComparer.Ordinal).Select(s => tallies[s].Summary(s, from)).ToList();
        return new CallReport(from, now, minutes, read > MaxCalls, Tally.Merge(tallies.Values, minutes).Summary(null, from), summaries);
    }

    /// <summary>One server's calls (or all servers'), minute by minute.</summary>
    sealed class Tally(int minutes)
    {
        readonly List<double>?[] _durations = new List<double>?[minutes];
        readonly int[] _errors = new int[minutes];
        readonly Dictionary<string, int> _outcomes = new(StringComparer.Ordinal);

        public void Add(int minute, double durationMs, string outcome)
        {
            (_durations[minute] ??= []).Add(durationMs);
            if (IsError(outcome))
                _errors[minute]++;
            _outcomes[outcome] = _outcomes.GetValueOrDefault(outcome) + 1;
        }

        public static Tally Merge(IEnumerable<Tally> tallies, int minutes)
        {
            var all = new Tally(minutes);
            foreach (var tally in tallies)
            {
                for (var minute = 0; minute < minutes; minute++)
                {
                    if (tally._durations[minute] is { } durations)
                        (all._durations[minute] ??= []).AddRange(durations);
                    all._errors[minute] += tally._errors[minute];
                }
                foreach (var (outcome, count) in tally._outcomes)
                    all._outcomes[outcome] = all._outcomes.GetValueOrDefault(outcome) + count;
            }
            return all;
        }

        public CallSummary Summary(string? server, DateTime from)
        {
            var series = new List<MinuteCalls>(_durations.Length);
            for (var minute = 0; minute < _durations.Length; minute++)
            {
                var durations = _durations[minute] ?? [];
                durations.Sort();
                series.Add(new MinuteCalls(from.AddMinutes(minute), durations.Count, _errors[minute], Percentile(durations, 0.50)));
            }
            var window = _durations.SelectMany(d => d ?? []).Order().ToList();
            var errors = _errors.Sum();
            return new CallSummary(server, window.Count, errors, window.Count == 0 ? 0 : Math.Round((double)errors / window.Count, 4),
                Percentile(window, 0.50), Percentile(window, 0.99),
                _outcomes.OrderByDescending(o => o.Value).ThenBy(o => o.Key, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal), series);
        }

        /// <summary>The nearest-rank percentile: the smallest duration that at least <paramref name="p"/> of the calls took no longer than.</summary>
        static double? Percentile(List<double> sorted, double p) =>
            sorted.Count == 0 ? null : sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }
}
