using System.Text.Json.Nodes;
using Bunit;
using Dashboard.Web.Components.Runs;
using Dashboard.Web.Components.Shared;
using Microsoft.AspNetCore.Components.Web;

namespace Dashboard.Web.Tests;

public sealed class RunDagTests : BunitContext
{
    static readonly JsonObject Diamond = RunGraphTests.Plan("""
        { "steps": [
          { "id": "a", "tool": "github.list_repos" },
          { "id": "b", "tool": "github.list_issues", "forEach": "${a.items}", "as": "repo", "args": { "repo": "${repo.name}" } },
          { "id": "c", "tool": "github.list_pulls", "args": { "x": "${a}" } },
          { "id": "d", "tool": "notion.create_page", "args": { "left": "${b}", "right": "${c}" } } ] }
        """);

    static readonly Dictionary<string, string> SomeStates = new() { ["a"] = "Succeeded", ["b"] = "Running", ["c"] = "Failed" };

    IRenderedComponent<RunDag> RenderDiamond(Action<ComponentParameterCollectionBuilder<RunDag>>? more = null) =>
        Render<RunDag>(p =>
        {
            p.Add(c => c.Plan, Diamond).Add(c => c.States, SomeStates);
            more?.Invoke(p);
        });

    [Fact]
    public void Each_step_is_a_node_with_its_state_and_a_step_without_one_is_Pending()
    {
        var cut = RenderDiamond();

        var nodes = cut.FindAll("g.node");
        Assert.Equal(["a", "b", "c", "d"], nodes.Select(n => n.GetAttribute("data-step")));
        Assert.Equal(["Succeeded", "Running", "Failed", "Pending"], nodes.Select(n => n.GetAttribute("data-state")));
        Assert.Contains($"--state: {StateColors.For("Failed")}", cut.Find("g[data-step=c]").GetAttribute("style"));
        Assert.Contains("github.list_pulls", cut.Find("g[data-step=c]").TextContent);
    }

    [Fact]
    public void Only_the_running_step_has_the_pulsing_class()
    {
        var cut = RenderDiamond();

        Assert.Equal(["b"], cut.FindAll("g.node.running").Select(n => n.GetAttribute("data-step")));
    }

    [Fact]
    public void Each_dependency_is_an_edge_with_an_arrowhead()
    {
        var cut = RenderDiamond();

        var edges = cut.FindAll("path.edge");
        Assert.Equal(["a->b", "a->c", "b->d", "c->d"], edges.Select(e => $"{e.GetAttribute("data-from")}->{e.GetAttribute("data-to")}").Order());
        var arrow = cut.Find("marker").Id;
        Assert.All(edges, e => Assert.Equal($"url(#{arrow})", e.GetAttribute("marker-end")));
    }

    [Fact]
    public void New_states_are_drawn_without_a_new_plan()
    {
        var cut = RenderDiamond();

        cut.Render(p => p.Add(c => c.States, new Dictionary<string, string>(SomeStates) { ["b"] = "Succeeded", ["d"] = "Running" }));

        Assert.Equal("Succeeded", cut.Find("g[data-step=b]").GetAttribute("data-state"));
        Assert.Equal("Running", cut.Find("g[data-step=d]").GetAttribute("data-state"));
    }

    [Fact]
    public void A_plan_read_afresh_or_changed_in_place_is_drawn_as_it_now_is()
    {
        var plan = Diamond.DeepClone().AsObject();
        var cut = Render<RunDag>(p => p.Add(c => c.Plan, plan));

        plan["steps"]!.AsArray().Add(JsonNode.Parse("""{ "id": "e", "tool": "t", "args": { "x": "${d}" } }"""));
        cut.Render(p => p.Add(c => c.Plan, plan));
        Assert.Equal(5, cut.FindAll("g.node").Count);

        cut.Render(p => p.Add(c => c.Plan, Diamond.DeepClone().AsObject()));
        Assert.Equal(4, cut.FindAll("g.node").Count);
    }

    [Fact]
    public void Clicking_a_node_or_pressing_Enter_on_it_gives_its_step_id()
    {
        var chosen = new List<string>();
        var cut = RenderDiamond(p => p.Add(c => c.SelectedStepChanged, chosen.Add));

        cut.Find("g[data-step=c]").Click();
        cut.Find("g[data-step=d]").KeyDown(new KeyboardEventArgs { Key = "Enter" });
        cut.Find("g[data-step=a]").KeyDown(new KeyboardEventArgs { Key = "Tab" });

        Assert.Equal(["c", "d"], chosen);
    }

    [Fact]
    public void The_selected_step_and_its_edges_are_marked()
    {
        var cut = RenderDiamond(p => p.Add(c => c.SelectedStep, "c"));

        Assert.Equal(["c"], cut.FindAll("g.node.selected").Select(n => n.GetAttribute("data-step")));
        Assert.Equal("true", cut.Find("g[data-step=c]").GetAttribute("aria-pressed"));
        Assert.Equal(["a->c", "c->d"], cut.FindAll("path.edge.selected").Select(e => $"{e.GetAttribute("data-from")}->{e.GetAttribute("data-to")}").Order());
    }

    [Fact]
    public void A_forEach_step_shows_its_progress_when_known()
    {
        var cut = RenderDiamond(p => p.Add(c => c.Progress, new Dictionary<string, StepProgress> { ["b"] = new(37, 100) }));

        Assert.Equal("37 / 100", cut.Find("g[data-step=b] .count").TextContent);
        Assert.Equal("68.08", cut.Find("g[data-step=b] .bar").GetAttribute("width")); // 37% of the 184 units inside the box
        Assert.Single(cut.FindAll(".count"));
        Assert.Single(cut.FindAll(".stack"));
    }

    [Fact]
    public void The_legend_names_every_state_in_its_colour()
    {
        var cut = RenderDiamond();

        var items = cut.FindAll("[data-legend]");
        Assert.Equal(["Pending", "Running", "Succeeded", "Failed", "Skipped", "Canceled"], items.Select(i => i.TextContent));
        Assert.All(items, i => Assert.Contains(StateColors.For(i.TextContent), i.QuerySelector(".swatch")!.GetAttribute("style")));
        Assert.Equal(6, items.Select(i => StateColors.For(i.TextContent)).Distinct().Count());
    }

    [Fact]
    public void A_cycle_is_said_and_still_drawn()
    {
        var cut = Render<RunDag>(p => p.Add(c => c.Plan, RunGraphTests.Plan("""
            { "steps": [ { "id": "x", "tool": "t", "args": { "v": "${y}" } }, { "id": "y", "tool": "t", "args": { "v": "${x}" } } ] }
            """)));

        Assert.Contains("cycle", cut.Find(".cycle").TextContent);
        Assert.Contains("x, y", cut.Find(".cycle").TextContent);
        Assert.Equal(2, cut.FindAll("g.node").Count);
    }

    [Fact]
    public void Without_a_plan_it_says_so() =>
        Assert.Equal("No plan yet.", Render<RunDag>(p => p.Add(c => c.Plan, null)).Find("p").TextContent);

    [Fact]
    public void The_drawing_has_a_viewBox_of_the_laid_out_size()
    {
        var graph = RunGraph.FromPlan(Diamond);
        var svg = RenderDiamond().Find("svg");

        Assert.Equal($"0 0 {graph.Width} {graph.Height}", svg.GetAttribute("viewBox"));
    }
}
