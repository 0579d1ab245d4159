using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Proxy.Api.Mcp;

/// <summary>
/// Params a client got wrong are its mistake, and it should hear which field: -32602 naming it, not the SDK's -32603
/// "An error occurred.". A <c>tools/call</c> whose <c>arguments</c> is not an object still reaches its handler, without
/// them, so that the <see cref="McpOrch.Core.Security.ToolGate"/> refuses and audits it like any call with bad arguments.
/// </summary>
public static class InvalidParams
{
    const string ArgumentsProblemKey = "mcp-orch.arguments-problem";

    /// <summary>The params type of each method the proxy answers, to tell the client's params from anything else that fails to parse.</summary>
    static readonly Dictionary<string, Type> ParamsTypes = new()
    {
        [RequestMethods.ToolsList] = typeof(ListToolsRequestParams),
        [RequestMethods.ToolsCall] = typeof(CallToolRequestParams),
        [RequestMethods.ResourcesList] = typeof(ListResourcesRequestParams),
        [RequestMethods.ResourcesTemplatesList] = typeof(ListResourceTemplatesRequestParams),
        [RequestMethods.ResourcesRead] = typeof(ReadResourceRequestParams),
        [RequestMethods.ResourcesSubscribe] = typeof(SubscribeRequestParams),
        [RequestMethods.ResourcesUnsubscribe] = typeof(UnsubscribeRequestParams),
        [RequestMethods.PromptsList] = typeof(ListPromptsRequestParams),
        [RequestMethods.PromptsGet] = typeof(GetPromptRequestParams),
        [RequestMethods.CompletionComplete] = typeof(CompleteRequestParams),
        [RequestMethods.LoggingSetLevel] = typeof(SetLevelRequestParams),
    };

    /// <summary>The incoming message filter.</summary>
    public static McpMessageHandler Filter(McpMessageHandler next) => async (context, cancellationToken) =>
    {
        if (context.JsonRpcMessage is JsonRpcRequest { Method: RequestMethods.ToolsCall, Params: JsonObject parameters }
            && parameters["arguments"] is { } arguments and not JsonObject)
        {
            context.Items[ArgumentsProblemKey] =
                $"'arguments' must be an object of the tool's arguments by name, not {Kind(arguments)}: tools/list shows each tool's inputSchema.";
            parameters.Remove("arguments");
        }
        try
        {
            await next(context, cancellationToken);
        }
        catch (JsonException) when (context.JsonRpcMessage is JsonRpcRequest request && Problem(request) is { } problem)
        {
            throw new McpProtocolException($"Invalid params of {request.Method}: {problem}", McpErrorCode.InvalidParams);
        }
    };

    /// <summary>What the filter found wrong with the <c>arguments</c> of a <c>tools/call</c>, if anything.</summary>
    public static string? ArgumentsProblem<T>(RequestContext<T> request) =>
        request.Items.TryGetValue(ArgumentsProblemKey, out var problem) ? problem as string : null;

    /// <summary>Why the request's params do not parse as its method's, naming the field; null when they do.</summary>
    static string? Problem(JsonRpcRequest request)
    {
        if (!ParamsTypes.TryGetValue(request.Method, out var type))
            return null;
        try
        {
            JsonSerializer.Deserialize(request.Params, type, McpJsonUtilities.DefaultOptions);
            return null;
        }
        catch (JsonException e)
        {
            return e.Path is ['$', '.', .. var field] && Find(request.Params, field) is { } found
                ? $"'{field}' cannot be {Kind(found)}."
                : e.Message.Split(" Path: ")[0];
        }
    }

    static JsonNode? Find(JsonNode? node, string path) =>
        path.Split('.').Aggregate(node, (at, name) => at is JsonObject item ? item[name] : null);

    static string Kind(JsonNode node) => node.GetValueKind() switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "true or false",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };
}
