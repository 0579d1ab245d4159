using System.ComponentModel;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpOrch.ConformanceServer;

/// <summary>The tools of the tools-*, elicitation-*, json-schema-* and server-sse-* scenarios.</summary>
[McpServerToolType]
public sealed class ConformanceTools
{
    static ImageContentBlock Png() => new() { Data = System.Text.Encoding.UTF8.GetBytes(Conformance.PngBase64), MimeType = "image/png" };

    [McpServerTool(Name = "test_simple_text"), Description("Returns a simple text.")]
    public static string SimpleText() => "This is a simple text response for testing.";

    [McpServerTool(Name = "test_image_content"), Description("Returns a 1x1 PNG image.")]
    public static ImageContentBlock ImageContent() => Png();

    [McpServerTool(Name = "test_audio_content"), Description("Returns a tiny WAV sound.")]
    public static AudioContentBlock AudioContent() =>
        new() { Data = System.Text.Encoding.UTF8.GetBytes(Conformance.WavBase64), MimeType = "audio/wav" };

    [McpServerTool(Name = "test_embedded_resource"), Description("Returns an embedded text resource.")]
    public static EmbeddedResourceBlock EmbeddedResource() => new()
    {
        Resource = new TextResourceContents { Uri = "test://embedded-resource", MimeType = "text/plain", Text = "This is an embedded resource content." },
    };

    [McpServerTool(Name = "test_multiple_content_types"), Description("Returns text, an image and an embedded resource.")]
    public static ContentBlock[] MultipleContentTypes() =>
    [
        new TextContentBlock { Text = "Multiple content types test:" },
        Png(),
        new EmbeddedResourceBlock
        {
            Resource = new TextResourceContents { Uri = "test://mixed-content-resource", MimeType = "application/json", Text = """{"test":"data","value":123}""" },
        },
    ];

    [McpServerTool(Name = "test_tool_with_logging"), Description("Sends three info log messages, 50 ms apart.")]
    public static async Task<string> ToolWithLogging(McpServer server, CancellationToken cancellationToken)
    {
        var logger = server.AsClientLoggerProvider().CreateLogger("conformance");
        logger.LogInformation("Tool execution started");
        await Task.Delay(50, cancellationToken);
        logger.LogInformation("Tool processing data");
        await Task.Delay(50, cancellationToken);
        logger.LogInformation("Tool execution completed");
        return "Tool with logging executed successfully";
    }

    [McpServerTool(Name = "test_tool_with_progress"), Description("Reports progress 0, 50 and 100 of 100, 50 ms apart.")]
    public static async Task<string> ToolWithProgress(McpServer server, RequestContext<CallToolRequestParams> context, CancellationToken cancellationToken)
    {
        var token = context.Params?.ProgressToken;
        foreach (var progress in new[] { 0, 50, 100 })
        {
            if (progress > 0)
                await Task.Delay(50, cancellationToken);
            if (token is { } t)
                await server.NotifyProgressAsync(t, new ProgressNotificationValue { Progress = progress, Total = 100 }, cancellationToken: cancellationToken);
        }
        return "Tool with progress executed successfully";
    }

    [McpServerTool(Name = "test_error_handling"), Description("Always returns an error result.")]
    public static CallToolResult ErrorHandling() =>
        new() { IsError = true, Content = [new TextContentBlock { Text = "This tool intentionally returns an error for testing" }] };

    [McpServerTool(Name = "test_sampling"), Description("Asks the client's LLM to answer `prompt` (sampling/createMessage).")]
    public static async Task<string> Sampling(McpServer server, [Description("The prompt to send to the LLM")] string prompt, CancellationToken cancellationToken)
    {
        var result = await server.SampleAsync(new CreateMessageRequestParams
        {
            Messages = [new SamplingMessage { Role = Role.User, Content = [new TextContentBlock { Text = prompt }] }],
            MaxTokens = 100,
        }, cancellationToken);
        return $"LLM response: {string.Join("", result.Content.OfType<TextContentBlock>().Select(c => c.Text))}";
    }

    [McpServerTool(Name = "test_elicitation"), Description("Asks the user for a username and an email (elicitation/create).")]
    public static async Task<string> Elicitation(McpServer server, [Description("The message to show the user")] string message, CancellationToken cancellationToken)
    {
        var result = await server.ElicitAsync(new ElicitRequestParams
        {
            Message = message,
            RequestedSchema = new()
            {
                Properties =
                {
                    ["username"] = new ElicitRequestParams.StringSchema { Description = "User's response" },
                    ["email"] = new ElicitRequestParams.StringSchema { Description = "User's email address" },
                },
                Required = ["username", "email"],
            },
        }, cancellationToken);
        return $"User response: action={result.Action}, content={Json(result.Content)}";
    }

    [McpServerTool(Name = "test_elicitation_sep1034_defaults"), Description("Elicitation whose fields all have default values (SEP-1034).")]
    public static async Task<string> ElicitationSep1034Defaults(McpServer server, CancellationToken cancellationToken)
    {
        var result = await server.ElicitAsync(new ElicitRequestParams
        {
            Message = "Please review and update the form fields with defaults",
            RequestedSchema = new()
            {
                Properties =
                {
                    ["name"] = new ElicitRequestParams.StringSchema { Description = "User name", Default = "John Doe" },
                    ["age"] = new ElicitRequestParams.NumberSchema { Type = "integer", Description = "User age", Default = 30 },
                    ["score"] = new ElicitRequestParams.NumberSchema { Type = "number", Description = "User score", Default = 95.5 },
                    ["status"] = new ElicitRequestParams.UntitledSingleSelectEnumSchema
                    {
                        Description = "User status", Enum = ["active", "inactive", "pending"], Default = "active",
                    },
                    ["verified"] = new ElicitRequestParams.BooleanSchema { Description = "Verification status", Default = true },
                },
            },
        }, cancellationToken);
        return $"Elicitation completed: action={result.Action}, content={Json(result.Content)}";
    }

    [McpServerTool(Name = "test_elicitation_sep1330_enums"), Description("Elicitation with the five kinds of enum schema (SEP-1330).")]
    public static async Task<string> ElicitationSep1330Enums(McpServer server, CancellationToken cancellationToken)
    {
        var result = await server.ElicitAsync(new ElicitRequestParams
        {
            Message = "Please select options from the enum fields",
            RequestedSchema = new()
            {
                Properties =
                {
                    ["untitledSingle"] = new ElicitRequestParams.UntitledSingleSelectEnumSchema
                    {
                        Description = "Select one option", Enum = ["option1", "option2", "option3"],
                    },
                    ["titledSingle"] = new ElicitRequestParams.TitledSingleSelectEnumSchema
                    {
                        Description = "Select one option with titles",
                        OneOf = [new() { Const = "value1", Title = "First Option" }, new() { Const = "value2", Title = "Second Option" }, new() { Const = "value3", Title = "Third Option" }],
                    },
#pragma warning disable MCP9001 // The legacy enumNames form is what this scenario checks.
                    ["legacyEnum"] = new ElicitRequestParams.LegacyTitledEnumSchema
                    {
                        Description = "Select one option (legacy)", Enum = ["opt1", "opt2", "opt3"], EnumNames = ["Option One", "Option Two", "Option Three"],
                    },
#pragma warning restore MCP9001
                    ["untitledMulti"] = new ElicitRequestParams.UntitledMultiSelectEnumSchema
                    {
                        Description = "Select multiple options", Items = new() { Enum = ["option1", "option2", "option3"] },
                    },
                    ["titledMulti"] = new ElicitRequestParams.TitledMultiSelectEnumSchema
                    {
                        Description = "Select multiple options with titles",
                        Items = new() { AnyOf = [new() { Const = "value1", Title = "First Choice" }, new() { Const = "value2", Title = "Second Choice" }, new() { Const = "value3", Title = "Third Choice" }] },
                    },
                },
            },
        }, cancellationToken);
        return $"Elicitation completed: action={result.Action}, content={Json(result.Content)}";
    }

    [McpServerTool(Name = "test_reconnection"), Description("Closes the SSE stream of the call before answering, so that the client resumes it with Last-Event-ID.")]
    public static async Task<string> Reconnection(RequestContext<CallToolRequestParams> context, IServiceProvider services, CancellationToken cancellationToken)
    {
        // The POST's HTTP response (HTTP transport only), to answer once it is over: the answer then goes to the
        // event store alone, and SDK 2.3.1's polling-mode GET, which ends after the last stored event, finds it.
        var response = services.GetService<IHttpContextAccessor>()?.HttpContext?.Response;
        var responseOver = new TaskCompletionSource();
        response?.OnCompleted(() => Task.FromResult(responseOver.TrySetResult()));
        try
        {
            // Ends the POST's SSE stream after an event with "retry: 500"; the client reconnects with GET and Last-Event-ID.
            await context.EnablePollingAsync(TimeSpan.FromMilliseconds(500), cancellationToken);
            if (response is not null)
                await responseOver.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        }
        catch (InvalidOperationException)
        {
            // stdio: there is no stream to close.
        }
        return "Reconnection test completed successfully";
    }

    /// <summary>json_schema_2020_12_tool: its input schema uses $schema, $defs and additionalProperties, which must reach the client untouched.</summary>
    public static McpServerTool JsonSchema202012Tool()
    {
        var tool = McpServerTool.Create(() => "JSON Schema 2020-12 tool executed successfully",
            new McpServerToolCreateOptions { Name = "json_schema_2020_12_tool", Description = "Tool with JSON Schema 2020-12 features" });
        tool.ProtocolTool.InputSchema = JsonElement.Parse("""
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "type": "object",
              "$defs": {
                "address": {
                  "type": "object",
                  "properties": { "street": { "type": "string" }, "city": { "type": "string" } }
                }
              },
              "properties": {
                "name": { "type": "string" },
                "address": { "$ref": "#/$defs/address" }
              },
              "additionalProperties": false
            }
            """);
        return tool;
    }

    static string Json(IDictionary<string, JsonElement>? content) =>
        content is null ? "{}" : JsonSerializer.Serialize(content, McpJsonUtilities.DefaultOptions);
}
