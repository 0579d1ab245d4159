using System.Text.Json;
using System.Text.Json.Nodes;
using Dashboard.Web.Components.Tools;

namespace Dashboard.Web.Tests.Tools;

public sealed class JsonSchemaTests
{
    static JsonElement Schema(string json) => JsonDocument.Parse(json).RootElement;

    static readonly JsonElement Echo = Schema("""
        {"type": "object", "required": ["message", "count"], "properties": {
          "message": {"type": "string", "minLength": 2, "pattern": "^[a-z ]+$"},
          "count": {"type": "integer", "minimum": 1, "maximum": 10, "default": 3},
          "mode": {"enum": ["fast", "slow"]},
          "loud": {"type": "boolean"},
          "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
          "filter": {"type": "object", "required": ["field"], "properties": {"field": {"type": "string"}, "limit": {"type": "number", "default": 0.5}}},
          "anything": {}
        }}
        """);

    [Fact]
    public void Each_property_gets_the_field_of_its_kind()
    {
        var kinds = JsonSchema.Properties(Echo).ToDictionary(p => p.Name, p => JsonSchema.KindOf(p.Schema));

        Assert.Equal(JsonSchema.Kind.Text, kinds["message"]);
        Assert.Equal(JsonSchema.Kind.Integer, kinds["count"]);
        Assert.Equal(JsonSchema.Kind.Choice, kinds["mode"]);
        Assert.Equal(JsonSchema.Kind.Boolean, kinds["loud"]);
        Assert.Equal(JsonSchema.Kind.List, kinds["tags"]);
        Assert.Equal(JsonSchema.Kind.Group, kinds["filter"]);
        Assert.Equal(JsonSchema.Kind.Json, kinds["anything"]);
        Assert.Equal(JsonSchema.Kind.Text, JsonSchema.KindOf(Schema("""{"type": ["string", "null"]}""")));
    }

    [Fact]
    public void Defaults_fill_the_fields_that_have_one_nested_groups_included()
    {
        Assert.Equal("""{"count":3,"filter":{"limit":0.5}}""", JsonSchema.Defaults(Echo).ToJsonString());
    }

    [Fact]
    public void Every_rule_broken_is_said_with_the_field_it_is_about()
    {
        var value = JsonNode.Parse("""{"message": "A", "count": 11.5, "mode": "medium", "tags": ["a", "b", "c"], "filter": {}}""")!.AsObject();

        Assert.Equal(
        [
            "message: At least 2 characters.", "message: Must match ^[a-z ]+$.",
            "count: Must be a whole number.", "count: At most 10.",
            "mode: One of fast, slow.",
            "tags: At most 2 items.",
            "filter.field: Required.",
        ], JsonSchema.AllProblems(Echo, value));
    }

    [Fact]
    public void A_value_that_keeps_every_rule_has_no_problem()
    {
        var value = JsonNode.Parse("""{"message": "hi there", "count": 3, "mode": "slow", "loud": true, "tags": ["a"], "filter": {"field": "x"}, "anything": [1]}""")!;

        Assert.Empty(JsonSchema.AllProblems(Echo, value.AsObject()));
        Assert.Equal(["count: Required.", "message: Required."], JsonSchema.AllProblems(Echo, []).Order());
    }
}
