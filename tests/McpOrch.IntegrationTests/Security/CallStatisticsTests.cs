using McpOrch.Core.Runs;
using McpOrch.Core.Security;
using McpOrch.IntegrationTests.Data;
using McpOrch.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace McpOrch.IntegrationTests.Security;

/// <summary>Call statistics from the audit log, the same on both databases: counts, errors, percentiles, minutes, the window's bounds.</summary>
public sealed class CallStatisticsTests(PostgresFixture postgres) : IDisposable
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;
    readonly ScratchDirectory _folder = ScratchDirectory.Create("stats");

    /// <summary>The report's "now": 20 s into the minute 10:30.</summary>
    static readonly DateTime Now = new(2026, 11, 24, 10, 30, 20, DateTimeKind.Utc);

    public void Dispose() => _folder.Dispose();

    Task<Func<OrchDbContext>> DatabaseAsync(string provider, params IInterceptor[] interceptors) =>
        OrchDatabases.CreateAsync(provider, postgres, _folder, Cancellation, interceptors);

    static AuditRecord Call(string server, DateTime at, double ms, string outcome) =>
        new() { At = at, Caller = "c", Source = "rest", Server = server, Tool = "t", Outcome = outcome, DurationMs = ms };

    static DateTime At(int minute, double seconds) => new DateTime(2026, 11, 24, 10, minute, 0, DateTimeKind.Utc).AddSeconds(seconds);

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task Calls_errors_percentiles_and_minutes_are_counted_per_server_within_the_window(string provider)
    {
        var plans = new QueryPlans("audit");
        var contexts = await DatabaseAsync(provider, plans);
        await using (var db = contexts())
        {
            db.Audit.AddRange(
                Call("a", At(28, 10), 10, "ok"), Call("a", At(28, 30), 30, "tool_error"),
                Call("a", At(29, 59.999), 1000, "timeout"),
                Call("a", At(30, 5), 20, "ok"), Call("a", At(30, 10), 40, "forwarded"),
                Call("b", At(29, 0), 1, "denied"),
                // Another server's, one just before the window and one after it: not counted.
                Call("c", At(29, 0), 5, "ok"), Call("a", At(27, 59.999), 5, "ok"), Call("a", At(31, 0), 5, "ok"));
            // Older calls, which the window's index range leaves out.
            db.Audit.AddRange(Enumerable.Range(0, 5_000).Select(i => Call("a", At(0, 0).AddMinutes(-i), 7, "ok")));
            await db.SaveChangesAsync(Cancellation);
            if (provider == "postgres")
                await db.Database.ExecuteSqlRawAsync("ANALYZE audit", Cancellation);
        }

        plans.Recording = true;
        var report = await new CallStatistics(contexts(), new FakeTimeProvider(Now)).ReportAsync(["a", "b", "idle"], 3, Cancellation);

        Assert.Equal((At(28, 0), Now, 3, false), (report.From, report.To, report.Minutes, report.Truncated));
        Assert.Equal(["a", "b", "idle"], report.Servers.Select(s => s.Server));
        var a = report.Servers[0];
        // tool_error and timeout are errors; ok and forwarded (a passthrough call answered with success) are not.
        Assert.Equal((5, 2, 0.4, 30.0, 1000.0), (a.Calls, a.Errors, a.ErrorRate, a.P50Ms, a.P99Ms));
        Assert.Equal(new Dictionary<string, int> { ["ok"] = 2, ["forwarded"] = 1, ["timeout"] = 1, ["tool_error"] = 1 }, a.Outcomes);
        Assert.Equal([new MinuteCalls(At(28, 0), 2, 1, 10), new MinuteCalls(At(29, 0), 1, 1, 1000), new MinuteCalls(At(30, 0), 2, 0, 20)], a.Series);
        var b = report.Servers[1];
        Assert.Equal((1, 1, 1.0, 1.0, 1.0), (b.Calls, b.Errors, b.ErrorRate, b.P50Ms, b.P99Ms));
        var idle = report.Servers[2];
        Assert.Equal((0, 0, 0.0, (double?)null, (double?)null), (idle.Calls, idle.Errors, idle.ErrorRate, idle.P50Ms, idle.P99Ms));
        Assert.All(idle.Series, m => Assert.Equal((0, 0, (double?)null), (m.Calls, m.Errors, m.P50Ms)));
        Assert.Equal((null, 6, 3, 0.5, 20.0, 1000.0), (report.Total.Server, report.Total.Calls, report.Total.Errors, report.Total.ErrorRate,
            report.Total.P50Ms, report.Total.P99Ms));
        Assert.Equal([2, 2, 2], report.Total.Series.Select(m => m.Calls));

        // The window is read through the index on the audit's time, not by reading every call there is.
        var (sql, plan) = Assert.Single(plans.Plans);
        Assert.False(QueryPlans.ScansTable(plan), $"{sql}\nis answered by reading the whole table:\n{plan}");
        Assert.Contains("IX_audit_At", plan);
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task Past_the_most_calls_a_report_reads_it_says_it_is_truncated(string provider)
    {
        var contexts = await DatabaseAsync(provider);
        await using (var db = contexts())
        {
            var at = At(30, 0);
            var rows = CallStatistics.MaxCalls + 1;
            _ = provider == "postgres"
                ? await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO audit ("At", "Caller", "Source", "Server", "Tool", "Outcome", "DurationMs", "ResultBytes")
                    SELECT {at}, 'c', 'rest', 'a', 't', 'ok', i, 0 FROM generate_series(1, {rows}) AS i
                    """, Cancellation)
                : await db.Database.ExecuteSqlAsync($"""
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows})
                    INSERT INTO audit ("At", "Caller", "Source", "Server", "Tool", "Outcome", "DurationMs", "ResultBytes")
                    SELECT {at}, 'c', 'rest', 'a', 't', 'ok', i, 0 FROM n
                    """, Cancellation);
        }

        var report = await new CallStatistics(contexts(), new FakeTimeProvider(Now)).ReportAsync(["a"], 1, Cancellation);

        Assert.True(report.Truncated);
        Assert.Equal(CallStatistics.MaxCalls, report.Total.Calls);
        Assert.Equal(CallStatistics.MaxCalls, Assert.Single(report.Servers[0].Series).Calls);
    }
}
