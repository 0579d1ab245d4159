using System.Text.Json;
using System.Text.Json.Nodes;
using Bunit;
using Dashboard.Web.Components.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.FluentUI.AspNetCore.Components;

namespace Dashboard.Web.Tests.Tools;

public sealed class SchemaFormTests : BunitContext
{
    static readonly JsonElement Schema = JsonDocument.Parse("""
        {"type": "object", "required": ["message"], "properties": {
          "message": {"type": "string", "description": "What to echo", "minLength": 2},
          "count": {"type": "integer", "default": 3},
          "tags": {"type": "array", "items": {"type": "string"}}
        }}
        """).RootElement;

    JsonObject _value = [];

    public SchemaFormTests()
    {
        Services.AddFluentUIComponents();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    IRenderedComponent<SchemaForm> Render(bool showRequired = false) => Render<SchemaForm>(p => p
        .Add(f => f.Schema, Schema)
        .Add(f => f.Value, _value)
        .Add(f => f.ShowRequired, showRequired)
        .Add(f => f.ValueChanged, v => _value = v));

    [Fact]
    public void A_field_per_property_starting_from_the_defaults_with_descriptions()
    {
        var form = Render();

        Assert.Equal(["message", "count", "tags"], form.FindAll(".schema-field").Select(f => f.GetAttribute("data-field")));
        Assert.Equal("""{"count":3}""", _value.ToJsonString());
        Assert.Contains("What to echo", form.Find("[data-field=message] .hint").TextContent);
    }

    [Fact]
    public void Typing_sets_the_argument_and_a_broken_rule_is_said_under_the_field()
    {
        var form = Render();

        form.Find("#arg-message").Input("a");
        Assert.Equal("a", _value["message"]!.GetValue<string>());
        Assert.Equal("At least 2 characters.", form.Find("[data-field=message] .field-problem").TextContent);

        form.Find("#arg-count").Input("2.5");
        Assert.Contains("Must be a whole number.", form.Find("[data-field=count] .field-problem").TextContent);
        form.Find("#arg-count").Input("7");
        Assert.Equal(7, _value["count"]!.GetValue<long>());
        Assert.Empty(form.FindAll("[data-field=count] .field-problem"));
    }

    [Fact]
    public void List_items_are_added_as_fields_of_the_item_schema()
    {
        var form = Render();

        form.Find("#arg-tags-add").Click();
        form.Find("#arg-tags\\[0\\]").Input("first");

        Assert.Equal("""["first"]""", _value["tags"]!.ToJsonString());
    }

    [Fact]
    public void Required_fields_say_so_once_the_user_tried_to_submit()
    {
        Assert.Empty(Render().FindAll("[data-field=message] .field-problem"));
        Assert.Equal("Required.", Render(showRequired: true).Find("[data-field=message] .field-problem").TextContent);
    }
}
