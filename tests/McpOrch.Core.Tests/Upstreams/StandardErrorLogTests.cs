using McpOrch.Core.Upstreams;

namespace McpOrch.Core.Tests.Upstreams;

public sealed class StandardErrorLogTests
{
    static StandardErrorLog Log() => new(text => text.Replace("hunter2-secret", "***", StringComparison.Ordinal), TimeProvider.System);

    [Fact]
    public void Past_its_capacity_the_oldest_entries_go_and_the_newest_come_oldest_first()
    {
        var log = Log();
        log.ProcessStarting(after: null);
        for (var i = 1; i <= StandardErrorLog.Capacity + 50; i++)
            log.Write($"line {i}");

        var all = log.Last(StandardErrorLog.Capacity + 10);
        Assert.Equal(StandardErrorLog.Capacity, all.Count);
        Assert.Equal("line 51", all[0].Text);
        Assert.Equal("line 250", all[^1].Text);
        Assert.Equal(["line 249", "line 250"], log.Last(2).Select(l => l.Text));
        Assert.Empty(log.Last(0));
    }

    [Fact]
    public void Starts_are_marked_with_why_the_one_before_ended_and_every_line_with_its_process()
    {
        var log = Log();
        log.ProcessStarting(after: null);
        log.Write("first");
        log.ProcessStarting(after: "connection lost (the process exited with code 1)");
        log.Write("second");
        log.HandOn("its definition in mcp-config.json changed");
        log.ProcessStarting(after: null);

        Assert.Equal(
        [
            ("start", "process 1 started", 1), ("stderr", "first", 1),
            ("start", "process 2 started, after: connection lost (the process exited with code 1)", 2), ("stderr", "second", 2),
            ("start", "process 3 started, after: its definition in mcp-config.json changed", 3),
        ], log.Last(10).Select(l => (l.Kind, l.Text, l.Process)));
    }

    [Fact]
    public void A_line_is_redacted_whole_then_cut()
    {
        var log = Log();
        // The secret straddles the cut: cut first, its start would be left.
        var line = new string('x', StandardErrorLog.MaxLineLength - 4) + "hunter2-secret" + new string('y', 100);

        log.Write(line);

        var kept = Assert.Single(log.Last(1)).Text;
        Assert.DoesNotContain("hunt", kept);
        Assert.Equal(StandardErrorLog.MaxLineLength + 1, kept.Length);
        Assert.EndsWith("x***y…", kept);
    }
}
