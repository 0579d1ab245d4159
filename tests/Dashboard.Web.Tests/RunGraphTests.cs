using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dashboard.Web.Components.Runs;

namespace Dashboard.Web.Tests;

public sealed class RunGraphTests
{
    internal static JsonObject Plan(string json) => JsonNode.Parse(json)!.AsObject();

    static Dictionary<string, int> Layers(RunGraph graph) => graph.Nodes.ToDictionary(n => n.Id, n => n.Layer);

    static string[] Edges(RunGraph graph) => [.. graph.Edges.Select(e => $"{e.From}->{e.To}")];

    [Fact]
    public void A_diamond_has_three_layers_the_join_after_both_branches()
    {
        var graph = RunGraph.FromPlan(Plan("""
            { "steps": [
              { "id": "a", "tool": "t.a" },
              { "id": "b", "tool": "t.b", "args": { "x": "${a}" } },
              { "id": "c", "tool": "t.c", "args": { "deep": { "list": ["text ${a.items[0].name} more"] } } },
              { "id": "d", "tool": "t.d", "args": { "left": "${b}", "right": "${c.total}" } } ] }
            """));

        Assert.Equal(new Dictionary<string, int> { ["a"] = 0, ["b"] = 1, ["c"] = 1, ["d"] = 2 }, Layers(graph));
        Assert.Equal(["a->b", "a->c", "b->d", "c->d"], Edges(graph).Order());
        Assert.Equal(3, graph.LayerCount);
        Assert.Empty(graph.Cyclic);
    }

    [Fact]
    public void A_forEach_step_depends_on_its_source_and_not_on_its_as_variable()
    {
        var graph = RunGraph.FromPlan(Plan("""
            { "steps": [
              { "id": "repos", "tool": "github.list_repos", "args": { "owner": "octocat" } },
              { "id": "issues", "tool": "github.list_issues", "forEach": "${repos.items}", "as": "repo",
                "args": { "repo": "${repo.full_name}", "state": "open" } },
              { "id": "report", "tool": "notion.create_page", "args": { "title": "Weekly", "body": "${issues}" } } ] }
            """));

        Assert.Equal(["repos->issues", "issues->report"], Edges(graph));
        Assert.True(graph.Nodes.Single(n => n.Id == "issues").IsForEach);
        Assert.False(graph.Nodes.Single(n => n.Id == "repos").IsForEach);
    }

    [Fact]
    public void The_default_forEach_element_item_is_not_the_step_called_item()
    {
        var graph = RunGraph.FromPlan(Plan("""
            { "steps": [
              { "id": "item", "tool": "t.one" },
              { "id": "list", "tool": "t.list" },
              { "id": "each", "tool": "t.each", "forEach": "${list}", "args": { "name": "${item.name}" } } ] }
            """));

        Assert.Equal(["list->each"], Edges(graph));
    }

    [Fact]
    public void DependsOn_adds_edges_and_unknown_ids_are_ignored()
    {
        var graph = RunGraph.FromPlan(Plan("""
            { "steps": [
              { "id": "a", "tool": "t.a" },
              { "id": "b", "tool": "t.b", "dependsOn": ["a", "ghost"], "args": { "x": "${nobody.y}", "price": "$5 {not a reference}" } },
              { "id": "c", "tool": "t.c", "dependsOn": ["b"], "args": { "again": "${b}" } } ] }
            """));

        Assert.Equal(["a->b", "b->c"], Edges(graph));
        Assert.Equal(new Dictionary<string, int> { ["a"] = 0, ["b"] = 1, ["c"] = 2 }, Layers(graph));
    }

    [Fact]
    public void The_order_inside_a_layer_uncrosses_edges_that_plan_order_would_cross()
    {
        // In plan order b1 would sit above b2, and a1->b2 would cross a2->b1.
        var graph = RunGraph.FromPlan(Plan("""
            { "steps": [
              { "id": "a1", "tool": "t" }, { "id": "a2", "tool": "t" },
              { "id": "b1", "tool": "t", "args": { "x": "${a2}" } },
              { "id": "b2", "tool": "t", "args": { "x": "${a1}" } },
              { "id": "c1", "tool": "t", "args": { "x": "${b2}" } },
              { "id": "c2", "tool": "t", "args": { "x": "${b1}" } } ] }
            """));

        var y = graph.Nodes.ToDictionary(n => n.Id, n => n.Y);
        Assert.True(y["b2"] < y["b1"]);
        Assert.Equal(0, Crossings(graph));
    }

    [Fact]
    public void An_edge_over_a_layer_runs_beside_the_boxes_there_not_under_them()
    {
        var graph = RunGraph.FromPlan(Plan("""
            { "steps": [
              { "id": "a", "tool": "t" },
              { "id": "b", "tool": "t", "args": { "x": "${a}" } },
              { "id": "c", "tool": "t", "args": { "x": "${b}", "y": "${a}" } } ] }
            """));

        var b = graph.Nodes.Single(n => n.Id == "b");
        var skip = graph.Edges.Single(e => e is { From: "a", To: "c" });
        // The level part through b's layer ("... x,y H x2") is above or below b's box.
        var level = Regex.Match(skip.Path, @"(?<y>[\d.]+) H[\d.]+");
        Assert.True(level.Success, skip.Path);
        var laneY = double.Parse(level.Groups["y"].Value, CultureInfo.InvariantCulture);
        Assert.True(laneY < b.Y || laneY > b.Y + RunGraph.NodeHeight, $"lane at {laneY}, b from {b.Y}");
    }

    [Fact]
    public void A_chain_of_200_steps_is_200_layers_in_one_row()
    {
        var steps = Enumerable.Range(0, 200).Select(i =>
            new JsonObject { ["id"] = $"s{i}", ["tool"] = "t", ["args"] = new JsonObject { ["in"] = i == 0 ? "x" : $"${{s{i - 1}.out}}" } });
        var graph = RunGraph.FromPlan(new JsonObject { ["steps"] = new JsonArray([.. steps]) });

        Assert.Equal(200, graph.LayerCount);
        Assert.Equal(Enumerable.Range(0, 200), graph.Nodes.Select(n => n.Layer));
        Assert.Single(graph.Nodes.Select(n => n.Y).Distinct());
        Assert.Equal(graph.Nodes[^1].X + RunGraph.NodeWidth + RunGraph.Margin, graph.Width);
    }

    [Fact]
    public void A_fan_out_of_200_steps_stacks_them_in_one_layer_without_overlap()
    {
        var leaves = Enumerable.Range(0, 200).Select(i => new JsonObject { ["id"] = $"leaf{i}", ["tool"] = "t", ["args"] = new JsonObject { ["x"] = "${root}" } });
        var graph = RunGraph.FromPlan(new JsonObject { ["steps"] = new JsonArray([new JsonObject { ["id"] = "root", ["tool"] = "t" }, .. leaves]) });

        Assert.Equal(2, graph.LayerCount);
        Assert.Equal(200, graph.Edges.Count);
        var tops = graph.Nodes.Where(n => n.Layer == 1).Select(n => n.Y).Order().ToList();
        Assert.All(tops.Zip(tops.Skip(1)), pair => Assert.True(pair.Second - pair.First >= RunGraph.NodeHeight + RunGraph.RowGap));
        Assert.True(tops[^1] + RunGraph.NodeHeight <= graph.Height);
        Assert.Equal(0, Crossings(graph));
    }

    [Fact]
    public void A_plan_of_200_steps_that_each_use_every_step_before_them_lays_out()
    {
        var steps = Enumerable.Range(0, 200).Select(i => new JsonObject
        {
            ["id"] = $"s{i}", ["tool"] = "t", ["dependsOn"] = new JsonArray([.. Enumerable.Range(0, i).Select(j => (JsonNode)$"s{j}")]),
        });
        var graph = RunGraph.FromPlan(new JsonObject { ["steps"] = new JsonArray([.. steps]) });

        Assert.Equal(200, graph.LayerCount);
        Assert.Equal(200 * 199 / 2, graph.Edges.Count);
        Assert.All(graph.Edges, e => Assert.StartsWith("M", e.Path));
    }

    [Fact]
    public void A_cycle_puts_its_steps_and_those_after_it_in_a_last_layer_and_names_them()
    {
        var graph = RunGraph.FromPlan(Plan("""
            { "steps": [
              { "id": "root", "tool": "t" },
              { "id": "a", "tool": "t", "args": { "x": "${root}", "y": "${c}" } },
              { "id": "b", "tool": "t", "args": { "x": "${a}" } },
              { "id": "c", "tool": "t", "args": { "x": "${b}" } },
              { "id": "after", "tool": "t", "args": { "x": "${c}" } },
              { "id": "self", "tool": "t", "args": { "x": "${self}" } } ] }
            """));

        Assert.Equal(["a", "b", "c", "after", "self"], graph.Cyclic);
        Assert.Equal(new Dictionary<string, int> { ["root"] = 0, ["a"] = 1, ["b"] = 1, ["c"] = 1, ["after"] = 1, ["self"] = 1 }, Layers(graph));
        Assert.Equal(6, graph.Edges.Count);
    }

    [Fact]
    public void No_plan_and_bad_steps_make_a_graph_of_what_can_be_read()
    {
        Assert.Empty(RunGraph.FromPlan(null).Nodes);
        var graph = RunGraph.FromPlan(Plan("""{ "steps": [ { "tool": "no.id" }, 7, { "id": "a", "tool": "t" }, { "id": "a", "tool": "again" } ] }"""));
        Assert.Equal("t", Assert.Single(graph.Nodes).Tool);
    }

    // Edges between neighbouring layers that swap order, counted from the drawing.
    static int Crossings(RunGraph graph)
    {
        var node = graph.Nodes.ToDictionary(n => n.Id);
        var segments = graph.Edges.Select(e => (From: node[e.From], To: node[e.To])).Where(s => s.To.Layer == s.From.Layer + 1).ToList();
        return segments.SelectMany((s, i) => segments.Skip(i + 1), (s, t) => (s, t))
            .Count(p => p.s.From.Layer == p.t.From.Layer && (p.s.From.Y - p.t.From.Y) * (p.s.To.Y - p.t.To.Y) < 0);
    }
}
