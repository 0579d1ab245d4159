using System.Text.Json;
using McpOrch.Core.Catalog;
using McpOrch.Core.Upstreams;
using Microsoft.AspNetCore.Http.HttpResults;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Proxy.Api.Apis;

/// <summary>The merged tools over plain REST: list them, and call one with a JSON body of arguments.</summary>
public static class ToolsApi
{
    public static IEndpointRouteBuilder MapToolsApi(this IEndpointRouteBuilder routes)
    {
        var tools = routes.MapGroup("/tools").WithTags("Tools");
        tools.MapGet("/", ListTools).WithSummary("Every tool of every healthy server");
        tools.MapGet("/{server}", ListServerTools).WithSummary("One server's tools");
        tools.MapPost("/{name}", CallTool).WithSummary("Call a tool: the body is its arguments object")
            .Accepts<Dictionary<string, JsonElement>>("application/json")
            .Produces<CallToolResult>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        return routes;
    }

    public static async Task<Ok<ToolInfo[]>> ListTools(UpstreamRegistry upstreams, CancellationToken cancellationToken)
    {
        await upstreams.WaitForFirstAttemptsAsync(cancellationToken);
        return TypedResults.Ok(upstreams.Catalog.Tools.Select(ToolInfo.From).ToArray());
    }

    public static async Task<Results<Ok<ToolInfo[]>, ProblemHttpResult>> ListServerTools(string server, UpstreamRegistry upstreams,
        CancellationToken cancellationToken)
    {
        if (upstreams.Find(server) is not { } connection)
            return Problem(StatusCodes.Status404NotFound, "Unknown server",
                $"No MCP server is named '{server}': GET /servers lists the configured ones.");
        await upstreams.WaitForFirstAttemptsAsync(cancellationToken, server);
        if (connection.State != UpstreamState.Healthy)
            return Problem(StatusCodes.Status503ServiceUnavailable, "Server unavailable",
                $"MCP server '{server}' is {connection.State.ToString().ToLowerInvariant()}{(connection.LastError is { } error ? $": {error}" : "")}.");
        return TypedResults.Ok(upstreams.Catalog.Tools.Where(t => t.Server == server).Select(ToolInfo.From).ToArray());
    }

    public static async Task<Results<JsonHttpResult<CallToolResult>, ProblemHttpResult>> CallTool(string name, HttpRequest request,
        UpstreamRegistry upstreams, CancellationToken cancellationToken)
    {
        if (await upstreams.FindToolAsync(name, cancellationToken) is not { } tool)
            return Problem(StatusCodes.Status404NotFound, "Unknown tool",
                $"No tool is named '{name}': GET /tools lists them, named server{"."}tool.");
        if (await ReadArgumentsAsync(request, cancellationToken) is not { } arguments)
            return Problem(StatusCodes.Status400BadRequest, "Invalid arguments",
                $"The body must be a JSON object of arguments for '{name}', e.g. {{\"message\": \"hello\"}}.", tool);
        if (ArgumentValidator.Validate(tool.Tool, arguments) is { Count: > 0 } errors)
            return Problem(StatusCodes.Status400BadRequest, "Invalid arguments",
                $"The arguments do not fit the input schema of '{name}': {string.Join("; ", errors)}.", tool);

        try
        {
            var result = await upstreams.Find(tool.Server)!.CallToolAsync(tool.UpstreamName, arguments, cancellationToken);
            return TypedResults.Json(result, McpJsonUtilities.DefaultOptions);
        }
        catch (ToolCallException e)
        {
            var (status, title) = e.Failure switch
            {
                ToolCallFailure.Timeout => (StatusCodes.Status504GatewayTimeout, "Tool call timed out"),
                ToolCallFailure.Rejected when e.ErrorCode == McpErrorCode.InvalidParams => (StatusCodes.Status400BadRequest, "Invalid arguments"),
                _ => (StatusCodes.Status502BadGateway, "Upstream failure"),
            };
            return Problem(status, title, e.Message, tool);
        }
    }

    /// <summary>The body as arguments: an object, or nothing at all for a tool without arguments; null when it is something else.</summary>
    static async Task<Dictionary<string, JsonElement>?> ReadArgumentsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
            return body.RootElement.ValueKind == JsonValueKind.Object
                ? body.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone())
                : null;
        }
        catch (JsonException) when (request.ContentLength is null or 0)
        {
            return [];
        }
        catch (JsonException)
        {
            return null;
        }
    }

    static ProblemHttpResult Problem(int status, string title, string detail, CatalogTool? tool = null) =>
        TypedResults.Problem(detail, statusCode: status, title: title, extensions: tool is null ? null : new Dictionary<string, object?>
        {
            ["server"] = tool.Server,
            ["tool"] = tool.UpstreamName,
        });
}
