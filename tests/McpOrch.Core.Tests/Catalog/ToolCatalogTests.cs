using System.Text.Json;
using McpOrch.Core.Catalog;
using ModelContextProtocol.Protocol;

namespace McpOrch.Core.Tests.Catalog;

public sealed class ToolCatalogTests
{
    static Tool Tool(string name, string description = "does a thing") => new()
    {
        Name = name,
        Description = description,
        InputSchema = JsonDocument.Parse("""{"type":"object","properties":{"q":{"type":"string"}},"required":["q"]}""").RootElement,
        Annotations = new ToolAnnotations { ReadOnlyHint = true },
    };

    static ToolCatalog Build(string separator, params (string Server, Tool[] Tools)[] servers) =>
        ToolCatalog.Build(1, servers.Select(s => (s.Server, (IReadOnlyList<Tool>)s.Tools)), separator);

    [Fact]
    public void Tools_are_named_server_dot_tool_and_keep_everything_else()
    {
        var original = Tool("list_issues");
        var catalog = Build(".", ("github", [original]), ("memory", [Tool("read_graph")]));

        var tool = Assert.Single(catalog.Tools, t => t.Server == "github");
        Assert.Equal(("github.list_issues", "list_issues"), (tool.Name, tool.UpstreamName));
        Assert.Equal("github.list_issues", tool.Tool.Name);
        Assert.Equal(original.Description, tool.Tool.Description);
        Assert.Equal(original.InputSchema.GetRawText(), tool.Tool.InputSchema.GetRawText());
        Assert.Same(original.Annotations, tool.Tool.Annotations);
        Assert.Same(tool, catalog.Find("github.list_issues"));
        Assert.Null(catalog.Find("list_issues"));
    }

    [Fact]
    public void The_separator_is_configurable()
    {
        Assert.Equal("github__list_issues", Assert.Single(Build("__", ("github", [Tool("list_issues")])).Tools).Name);
    }

    [Fact]
    public void A_name_over_64_characters_is_shortened_with_a_stable_hash()
    {
        var longName = new string('x', 80);

        var first = Assert.Single(Build(".", ("server", [Tool(longName)])).Tools).Name;
        var again = Assert.Single(Build(".", ("server", [Tool(longName)])).Tools).Name;

        Assert.Equal(64, first.Length);
        Assert.Equal(first, again);
        Assert.StartsWith("server.xxxx", first);
        Assert.Matches("-[0-9a-f]{8}$", first);
    }

    [Fact]
    public void Two_long_names_with_the_same_start_stay_distinct()
    {
        var prefix = new string('a', 70);
        var names = Build(".", ("s", [Tool(prefix + "_one"), Tool(prefix + "_two")])).Tools.Select(t => t.Name).ToList();

        Assert.Equal(2, names.Distinct().Count());
        Assert.All(names, n => Assert.True(ToolNames.IsSafe(n)));
    }

    [Fact]
    public void Unsafe_characters_are_replaced_and_the_name_gets_a_hash()
    {
        var name = Assert.Single(Build(".", ("files", [Tool("read file/π")])).Tools).Name;

        Assert.True(ToolNames.IsSafe(name));
        Assert.StartsWith("files.read_file__-", name);
    }

    [Fact]
    public void Names_that_would_collide_all_get_their_hash()
    {
        // With "__" as separator, server "a" + tool "b__c" and server "a__b" + tool "c" are both "a__b__c".
        var catalog = Build("__", ("a", [Tool("b__c")]), ("a__b", [Tool("c")]));

        Assert.Equal(2, catalog.Tools.Count);
        Assert.Equal(2, catalog.Tools.Select(t => t.Name).Distinct().Count());
        Assert.All(catalog.Tools, t => Assert.Matches("^a__b__c-[0-9a-f]{8}$", t.Name));
        Assert.Equal("a", catalog.Find(catalog.Tools[0].Name)!.Server);
    }

    [Fact]
    public void Arguments_are_checked_against_the_input_schema_naming_the_field()
    {
        var tool = Tool("search");

        Assert.Empty(ArgumentValidator.Validate(tool, new Dictionary<string, JsonElement> { ["q"] = JsonDocument.Parse("\"x\"").RootElement }));
        Assert.Equal(["q: property required"], ArgumentValidator.Validate(tool, new Dictionary<string, JsonElement>()));
        Assert.Equal(["q: string expected"],
            ArgumentValidator.Validate(tool, new Dictionary<string, JsonElement> { ["q"] = JsonDocument.Parse("1").RootElement }));
    }
}
