using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Bunit;
using Dashboard.Web.Components.Runs;

namespace Dashboard.Web.Tests;

public sealed class RunTimelineTests : BunitContext
{
    static readonly JsonObject Plan = RunGraphTests.Plan("""
        { "steps": [
          { "id": "a", "tool": "t.a" },
          { "id": "b", "tool": "t.b" },
          { "id": "c", "tool": "t.c", "args": { "x": "${a}" } },
          { "id": "d", "tool": "t.d", "args": { "x": "${c}" } } ] }
        """);

    static readonly DateTime T0 = new(2026, 5, 1, 10, 0, 0, DateTimeKind.Utc);

    IRenderedComponent<RunTimeline> RenderRun(Dictionary<string, StepTimes> times, Dictionary<string, string> states, double nowSeconds) =>
        Render<RunTimeline>(p => p.Add(c => c.Plan, Plan).Add(c => c.Times, times).Add(c => c.States, states).Add(c => c.Now, T0.AddSeconds(nowSeconds)));

    static (double Left, double Width) Bar(IRenderedComponent<RunTimeline> cut, string step)
    {
        var match = Regex.Match(cut.Find($".row[data-step={step}] .bar").GetAttribute("style")!, @"left: ([\d.]+)%; width: ([\d.]+)%");
        return (double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Bars_start_and_last_in_proportion_to_the_times_so_parallel_steps_overlap()
    {
        var cut = RenderRun(new() { ["a"] = new(T0, T0.AddSeconds(2)), ["b"] = new(T0.AddSeconds(1), T0.AddSeconds(4)) },
            new() { ["a"] = "Succeeded", ["b"] = "Failed" }, nowSeconds: 4);

        Assert.Equal((0, 50), Bar(cut, "a"));
        Assert.Equal((25, 75), Bar(cut, "b"));
        Assert.Equal("2 s", cut.Find(".row[data-step=a] .duration").TextContent);
    }

    [Fact]
    public void A_running_step_reaches_now()
    {
        var cut = RenderRun(new() { ["a"] = new(T0, T0.AddSeconds(4)), ["c"] = new(T0.AddSeconds(2), null) },
            new() { ["a"] = "Succeeded", ["c"] = "Running" }, nowSeconds: 8);

        var (left, width) = Bar(cut, "c");
        Assert.Equal(25, left);
        Assert.Equal(100, left + width, precision: 2);
        Assert.Equal(50, Bar(cut, "a").Width);
        Assert.Contains("running", cut.Find(".row[data-step=c] .bar").ClassList);
    }

    [Fact]
    public void Every_step_has_a_row_in_plan_order_and_those_not_started_are_empty()
    {
        var cut = RenderRun(new() { ["c"] = new(T0, T0.AddSeconds(1)) }, new() { ["c"] = "Succeeded" }, nowSeconds: 1);

        var rows = cut.FindAll(".row[data-step]");
        Assert.Equal(["a", "b", "c", "d"], rows.Select(r => r.GetAttribute("data-step")));
        Assert.Equal(["Pending", "Pending", "Succeeded", "Pending"], rows.Select(r => r.GetAttribute("data-state")));
        Assert.Equal([false, false, true, false], rows.Select(r => r.QuerySelector(".bar") is not null));
    }

    [Theory]
    [InlineData(0.3, "0,50 ms,100 ms,150 ms,200 ms,250 ms,300 ms")]
    [InlineData(4, "0,1 s,2 s,3 s,4 s")]
    [InlineData(90, "0,15 s,30 s,45 s,60 s,75 s,90 s")]
    [InlineData(1200, "0,5 min,10 min,15 min,20 min")]
    public void The_axis_ticks_are_in_units_that_fit_the_span(double seconds, string ticks)
    {
        var cut = RenderRun(new() { ["a"] = new(T0, T0.AddSeconds(seconds)) }, new() { ["a"] = "Succeeded" }, nowSeconds: seconds);

        Assert.Equal(ticks, string.Join(",", cut.FindAll(".tick").Select(t => t.TextContent)));
    }

    [Fact]
    public void Before_any_step_starts_there_is_no_axis()
    {
        var cut = RenderRun([], [], nowSeconds: 0);

        Assert.Empty(cut.FindAll(".tick"));
        Assert.Empty(cut.FindAll(".bar"));
        Assert.Equal("not started", cut.Find(".axis-row .label").TextContent);
    }
}
