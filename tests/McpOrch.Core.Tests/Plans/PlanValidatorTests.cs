using System.Text.Json;
using McpOrch.Core.Catalog;
using McpOrch.Core.Plans;
using ModelContextProtocol.Protocol;

namespace McpOrch.Core.Tests.Plans;

public sealed class PlanValidatorTests
{
    static Tool Tool(string name, string schema) => new() { Name = name, InputSchema = JsonDocument.Parse(schema).RootElement };

    static readonly ToolCatalog Catalog = ToolCatalog.Build(1,
    [
        ("github", (IReadOnlyList<Tool>)
        [
            Tool("list_repos", """{"type":"object","properties":{"owner":{"type":"string"}},"required":["owner"]}"""),
            Tool("list_issues", """{"type":"object","properties":{"repo":{"type":"string"},"state":{"type":"string","enum":["open","closed"]}},"required":["repo"]}"""),
        ]),
        ("notion", [Tool("create_page", """{"type":"object","properties":{"title":{"type":"string"},"body":{}},"required":["title"]}""")]),
    ], ".");

    static IReadOnlyList<string> Errors(string json, int maxSteps = 100) =>
        [.. PlanValidator.Validate(Plan.Parse(json), Catalog, maxSteps).Select(e => e.ToString())];

    const string Architecture = """
        {"steps": [
          {"id": "repos", "tool": "github.list_repos", "args": {"owner": "octocat"}},
          {"id": "issues", "tool": "github.list_issues", "forEach": "${repos.items}", "as": "repo",
           "args": {"repo": "${repo.full_name}", "state": "open"}},
          {"id": "report", "tool": "notion.create_page", "args": {"title": "Weekly issues", "body": "${issues}"}}
        ]}
        """;

    [Fact]
    public void The_plan_of_the_architecture_document_is_valid()
    {
        Assert.Empty(Errors(Architecture));
    }

    [Fact]
    public void Dependencies_are_the_steps_referred_to_plus_dependsOn()
    {
        var plan = Plan.Parse(Architecture);
        var explicitOnly = new PlanStep("late", "notion.create_page", DependsOn: ["repos"]);

        Assert.Empty(plan.Steps[0].Dependencies);
        Assert.Equal(["repos"], plan.Steps[1].Dependencies);
        Assert.Equal(["issues"], plan.Steps[2].Dependencies);
        Assert.Equal(["repos"], explicitOnly.Dependencies);
    }

    [Theory]
    [InlineData("""{"steps": []}""", "a plan needs at least one step.")]
    [InlineData("""{"steps": [{"id": "1st", "tool": "github.list_repos", "args": {"owner": "o"}}]}""",
        "step '1st': a step id starts with a letter and has only letters, digits, '_' and '-'.")]
    [InlineData("""{"steps": [{"id": "a", "tool": "github.list_repos", "args": {"owner": "o"}}, {"id": "a", "tool": "github.list_repos", "args": {"owner": "p"}}]}""",
        "step 'a': two steps have this id: ids must be unique.")]
    [InlineData("""{"steps": [{"id": "a", "tool": "github.list_repo", "args": {"owner": "o"}}]}""",
        "step 'a': unknown tool 'github.list_repo' (did you mean 'github.list_repos'?).")]
    [InlineData("""{"steps": [{"id": "a", "tool": "github.list_issues", "args": {"repo": "${nope}"}}]}""",
        "step 'a': ${nope} refers to unknown step 'nope'.")]
    [InlineData("""{"steps": [{"id": "a", "tool": "github.list_issues", "args": {"repo": "${b.name}"}}, {"id": "b", "tool": "github.list_repos", "args": {"owner": "o"}}]}""",
        "step 'a': ${b.name} refers to step 'b', which comes later: a step may only use the outputs of steps listed before it.")]
    [InlineData("""{"steps": [{"id": "a", "tool": "github.list_issues", "args": {"repo": "${a}"}}]}""",
        "step 'a': ${a} refers to the step itself.")]
    [InlineData("""{"steps": [{"id": "a", "tool": "github.list_issues", "args": {"repo": "${a..b}"}}]}""",
        "step 'a': ${a..b} is not a reference: write ${step} or ${step.path[0].field}.")]
    [InlineData("""{"steps": [{"id": "a", "tool": "github.list_repos", "args": {"owner": "o"}}, {"id": "b", "tool": "github.list_issues", "forEach": "all of ${a}", "args": {"repo": "x"}}]}""",
        "step 'b': forEach must be one reference such as \"${steps.items}\", not \"all of ${a}\".")]
    [InlineData("""{"steps": [{"id": "a", "tool": "github.list_repos", "as": "x", "args": {"owner": "o"}}]}""",
        "step 'a': \"as\" names the forEach element, but the step has no \"forEach\".")]
    [InlineData("""{"steps": [{"id": "a", "tool": "github.list_repos", "args": {"owner": "o"}}, {"id": "b", "tool": "github.list_issues", "forEach": "${a}", "as": "a", "args": {"repo": "${a.name}"}}]}""",
        "step 'b': \"as\": 'a' is also a step id: pick another name for the forEach element.")]
    [InlineData("""{"steps": [{"id": "a", "tool": "github.list_issues", "forEach": "${item}", "args": {"repo": "${item}"}}]}""",
        "step 'a': forEach cannot refer to its own element 'item'.")]
    [InlineData("""{"steps": [{"id": "a", "tool": "github.list_repos", "args": {"owner": "o"}, "dependsOn": ["ghost"]}]}""",
        "step 'a': dependsOn: unknown step 'ghost'.")]
    [InlineData("""{"steps": [{"id": "a", "tool": "github.list_repos", "args": {}}]}""",
        "step 'a': the arguments do not fit the input schema of 'github.list_repos': owner: property required.")]
    [InlineData("""{"steps": [{"id": "a", "tool": "github.list_issues", "args": {"repo": "r", "state": "maybe"}}]}""",
        "step 'a': the arguments do not fit the input schema of 'github.list_issues': state: not in enumeration.")]
    [InlineData("""{"steps": [{"id": "a", "tool": "github.list_repos", "args": {"owner": "o"}, "dependsOn": ["b"]}, {"id": "b", "tool": "github.list_repos", "args": {"owner": "o"}, "dependsOn": ["a"]}]}""",
        "step 'a': the steps a → b → a depend on each other in a cycle.")]
    public void Each_problem_names_the_step_and_what_is_wrong(string json, string expected)
    {
        Assert.Equal([expected], Errors(json));
    }

    [Fact]
    public void A_plan_over_the_step_limit_is_rejected()
    {
        Assert.Equal(["the plan has 3 steps, more than the limit of 2 (execution.max_plan_steps)."], Errors(Architecture, maxSteps: 2));
    }

    [Fact]
    public void An_argument_holding_a_reference_is_checked_at_run_time_not_now()
    {
        Assert.Empty(Errors("""{"steps": [{"id": "a", "tool": "github.list_repos", "args": {"owner": "o"}}, {"id": "b", "tool": "github.list_issues", "args": {"repo": "${a.items[0]}"}}]}"""));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        Assert.Equal(2, Errors("""{"steps": [{"id": "a", "tool": "nope.x"}, {"id": "b", "tool": "github.list_issues", "args": {"repo": "${zzz}"}}]}""").Count);
    }
}
