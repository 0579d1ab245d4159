using System.Text.Json;
using System.Security.Claims;
using McpOrch.Core.Catalog;
using McpOrch.Core.Configuration;
using McpOrch.Core.Security;
using McpOrch.Core.Upstreams;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Proxy.Api.Security;

namespace Proxy.Api.Apis;

/// <summary>
/// The merged tools over plain REST: list them (read), and call one with a JSON body of arguments (execute). A caller
/// sees and calls only the tools of its allow-list.
/// </summary>
public static class ToolsApi
{
    public static IEndpointRouteBuilder MapToolsApi(this IEndpointRouteBuilder routes)
    {
        var tools = routes.MapGroup("/tools").WithTags("Tools");
        tools.MapGet("/", ListTools).WithSummary("Every tool of every healthy server").Requires(Permission.Read);
        tools.MapGet("/{server}", ListServerTools).WithSummary("One server's tools").Requires(Permission.Read);
        // Any caller: the ToolGate checks the execute permission, and audits a refusal like any other call.
        tools.MapPost("/{name}", CallTool).WithSummary("Call a tool: the body is its arguments object (needs execute)").RequireAuthorization()
            .AcceptsJson<Dictionary<string, JsonElement>>(required: false)
            .Produces<CallToolResult>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        return routes;
    }

    public static async Task<Ok<ToolInfo[]>> ListTools(ClaimsPrincipal user, UpstreamRegistry upstreams, CancellationToken cancellationToken)
    {
        await upstreams.WaitForFirstAttemptsAsync(cancellationToken);
        var scope = user.Caller().Scope;
        return TypedResults.Ok(upstreams.Catalog.Tools.Where(t => scope.Allows(t.Server, t.Name)).Select(ToolInfo.From).ToArray());
    }

    public static async Task<Results<Ok<ToolInfo[]>, ProblemHttpResult>> ListServerTools(string server, ClaimsPrincipal user,
        UpstreamRegistry upstreams, CancellationToken cancellationToken)
    {
        var caller = user.Caller();
        if (upstreams.Find(server) is not { } connection)
            return Problem(StatusCodes.Status404NotFound, "Unknown server",
                $"No MCP server is named '{server}': GET /servers lists the configured ones.");
        if (!caller.Scope.AllowsServer(server, upstreams.ToolSeparator))
            return Problem(StatusCodes.Status403Forbidden, "Server not allowed",
                $"'{caller.Name}' may not use MCP server '{server}': it is outside the key's allow-list.");
        await upstreams.WaitForFirstAttemptsAsync(cancellationToken, server);
        if (connection.State != UpstreamState.Healthy)
            return Problem(StatusCodes.Status503ServiceUnavailable, "Server unavailable", $"MCP server '{server}' is {StateOf(connection)}.");
        return TypedResults.Ok(upstreams.Catalog.Tools.Where(t => t.Server == server && caller.Scope.Allows(t.Server, t.Name))
            .Select(ToolInfo.From).ToArray());
    }

    public static async Task<Results<JsonHttpResult<CallToolResult>, ProblemHttpResult>> CallTool(string name, HttpRequest request,
        UpstreamRegistry upstreams, ToolGate gate, IOptions<OrchOptions> options, CancellationToken cancellationToken)
    {
        if (await upstreams.FindToolAsync(name, cancellationToken) is not { } tool)
            return UnknownTool(name, request.HttpContext.User.Caller(), upstreams);
        var (body, error) = await JsonBody.ReadAsync(request, options.Value.Security.MaxJsonDepth, cancellationToken);
        Dictionary<string, JsonElement>? arguments = error is not null ? null
            : body is not { } json ? []
            : json.ValueKind == JsonValueKind.Object ? json.EnumerateObject().ToDictionary(p => p.Name, p => p.Value) : null;
        var problem = arguments is null
            ? $"{error ?? "The body is JSON but not an object."} Send a JSON object of the arguments of '{name}': GET /tools/{tool.Server} shows its inputSchema."
            : ArgumentValidator.Validate(tool.Tool, arguments) is { Count: > 0 } errors
                ? $"The arguments do not fit the input schema of '{name}': {string.Join("; ", errors)}."
                : null;

        try
        {
            var call = new ToolCall(request.HttpContext.User.Caller(), "rest", tool.Server, tool.UpstreamName, tool.Name, arguments)
            {
                ArgumentsProblem = problem,
            };
            return TypedResults.Json(await gate.CallAsync(call, cancellationToken), McpJsonUtilities.DefaultOptions);
        }
        catch (ToolCallException e)
        {
            if (e.RetryAfter is { } retryAfter)
                request.HttpContext.Response.Headers.RetryAfter = Math.Ceiling(retryAfter.TotalSeconds).ToString("0", System.Globalization.CultureInfo.InvariantCulture);
            var (status, title) = e.Failure switch
            {
                ToolCallFailure.Timeout => (StatusCodes.Status504GatewayTimeout, "Tool call timed out"),
                ToolCallFailure.Rejected when e.ErrorCode == McpErrorCode.InvalidParams => (StatusCodes.Status400BadRequest, "Invalid arguments"),
                ToolCallFailure.InvalidArguments => (StatusCodes.Status400BadRequest, "Invalid arguments"),
                ToolCallFailure.Denied => (StatusCodes.Status403Forbidden, "Tool not allowed"),
                ToolCallFailure.RateLimited => (StatusCodes.Status429TooManyRequests, "Rate limit reached"),
                ToolCallFailure.TooLarge => (StatusCodes.Status502BadGateway, "Result too large"),
                _ => (StatusCodes.Status502BadGateway, "Upstream failure"),
            };
            return Problem(status, title, e.Message, tool);
        }
    }

    /// <summary>
    /// 404 for a name no healthy server has; when the name carries the prefix of a server the caller may see that is
    /// not serving (disabled, or down), it says so instead of suggesting a typo.
    /// </summary>
    static ProblemHttpResult UnknownTool(string name, Caller caller, UpstreamRegistry upstreams) =>
        upstreams.OwnerOf(name) is { State: not UpstreamState.Healthy } server && caller.Scope.AllowsServer(server.Name, upstreams.ToolSeparator)
            ? server.State == UpstreamState.Disabled
                ? Problem(StatusCodes.Status404NotFound, "Server disabled",
                    $"'{name}' would be a tool of MCP server '{server.Name}', which is disabled (\"disabled\": true in mcp-config.json): its tools are " +
                    "not served. Remove \"disabled\" and save the file to start it (MCP Orch reloads it).")
                : Problem(StatusCodes.Status502BadGateway, "Server unavailable",
                    $"'{name}' would be a tool of MCP server '{server.Name}', which is {StateOf(server)}. GET /servers shows how it is doing.")
            : Problem(StatusCodes.Status404NotFound, "Unknown tool", $"No tool is named '{name}': GET /tools lists them, named server{"."}tool.");

    /// <summary>A server's state in words, with its last error: "restarting: command 'x' not found ...".</summary>
    static string StateOf(UpstreamConnection server) =>
        $"{server.State.ToString().ToLowerInvariant()}{(server.LastError is { } error ? $": {error}" : "")}";

    static ProblemHttpResult Problem(int status, string title, string detail, CatalogTool? tool = null) =>
        TypedResults.Problem(detail, statusCode: status, title: title, extensions: tool is null ? null : new Dictionary<string, object?>
        {
            ["server"] = tool.Server,
            ["tool"] = tool.UpstreamName,
        });
}
