using System.Text.Json.Nodes;
using McpOrch.Core.Plans;

namespace McpOrch.Core.Tests.Plans;

public sealed class ReferenceResolverTests
{
    static readonly Dictionary<string, JsonNode?> Outputs = new()
    {
        ["repos"] = JsonNode.Parse("""{"items": [{"full_name": "octo/one", "stars": 5}, {"full_name": "octo/two", "stars": 7}], "total": 2}"""),
        ["count"] = JsonValue.Create(42),
        ["greeting"] = JsonValue.Create("hello"),
        ["nothing"] = null,
    };

    static JsonObject Resolve(string args) => ReferenceResolver.Resolve(JsonNode.Parse(args)!.AsObject(), name => Outputs[name]);

    [Fact]
    public void A_string_that_is_one_reference_takes_the_value_as_it_is()
    {
        var resolved = Resolve("""{"all": "${repos}", "first": "${repos.items[0]}", "count": "${count}", "none": "${nothing}"}""");

        Assert.Equal(2, resolved["all"]!["total"]!.GetValue<int>());
        Assert.Equal("octo/one", resolved["first"]!["full_name"]!.GetValue<string>());
        Assert.Equal(42, resolved["count"]!.GetValue<int>());
        Assert.Null(resolved["none"]);
        Assert.True(resolved.ContainsKey("none"));
    }

    [Fact]
    public void A_reference_inside_a_longer_string_is_inserted_as_text()
    {
        var resolved = Resolve("""{"title": "${greeting}: ${repos.items[1].full_name} has ${repos.items[1].stars} stars", "raw": "ids ${repos.items[0]}"}""");

        Assert.Equal("hello: octo/two has 7 stars", resolved["title"]!.GetValue<string>());
        Assert.Equal("""ids {"full_name":"octo/one","stars":5}""", resolved["raw"]!.GetValue<string>());
    }

    [Fact]
    public void References_are_resolved_in_nested_objects_and_arrays_and_other_values_are_copied()
    {
        var resolved = Resolve("""{"filter": {"names": ["${repos.items[0].full_name}", "fixed"], "limit": 3, "open": true}}""");

        Assert.Equal("""{"filter":{"names":["octo/one","fixed"],"limit":3,"open":true}}""", resolved.ToJsonString());
    }

    [Theory]
    [InlineData("${repos.items[5]}", "${repos.items[5]}: repos.items has no element [5] (it is an array of 2)")]
    [InlineData("${repos.owner}", "${repos.owner}: repos has no property 'owner' (its properties are items, total)")]
    [InlineData("x ${count.value}", "${count.value}: count has no property 'value' (it is number 42)")]
    public void A_missing_path_is_an_error_that_says_what_is_there(string reference, string message)
    {
        var error = Assert.Throws<PlanReferenceException>(() => Resolve($$"""{"a": "{{reference}}"}"""));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void ForEach_runs_over_the_elements_in_order_and_each_is_bound_to_its_name()
    {
        var step = new PlanStep("stars", "github.get_repo", JsonNode.Parse("""{"repo": "${repo.full_name}"}""")!.AsObject(), "${repos.items}", "repo");

        var items = ReferenceResolver.ForEachItems(step, name => Outputs[name], maxFanOut: 10);
        var calls = items.Select(item => ReferenceResolver.Resolve(step.Args, name => name == step.ItemName ? item : Outputs[name])).ToList();

        Assert.Equal(["octo/one", "octo/two"], calls.Select(c => c["repo"]!.GetValue<string>()));
    }

    [Fact]
    public void ForEach_over_something_else_than_an_array_or_over_too_many_elements_is_an_error()
    {
        var notArray = new PlanStep("s", "t", ForEach: "${repos.total}");
        var tooWide = new PlanStep("s", "t", ForEach: "${repos.items}");

        Assert.Equal("forEach ${repos.total} must be an array, but it is a number",
            Assert.Throws<PlanReferenceException>(() => ReferenceResolver.ForEachItems(notArray, name => Outputs[name], 10)).Message);
        Assert.Equal("forEach ${repos.items} has 2 elements, more than the limit of 1 (execution.max_fan_out)",
            Assert.Throws<PlanReferenceException>(() => ReferenceResolver.ForEachItems(tooWide, name => Outputs[name], 1)).Message);
    }
}
