using System.Security.Claims;
using McpOrch.Core.Configuration;
using McpOrch.Core.Security;
using McpOrch.Core.Upstreams;
using Microsoft.AspNetCore.Http.HttpResults;
using Proxy.Api.Security;

namespace Proxy.Api.Apis;

/// <summary>The configured servers and how each one is doing.</summary>
public static class ServersApi
{
    public static IEndpointRouteBuilder MapServersApi(this IEndpointRouteBuilder routes)
    {
        var servers = routes.MapGroup("/servers").WithTags("Servers");
        servers.MapGet("/", ListServers).WithSummary("Each server: status, transport, protocol, tools, uptime, restarts, last error")
            .Requires(Permission.Read);
        servers.MapGet("/stats", Stats).WithSummary("Recent tool calls per server, from the audit log: calls, errors, error rate, p50 and p99, a series by minute")
            .Requires(Permission.Read)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        servers.MapGet("/{name}/stderr", StandardError).WithSummary("The last lines a stdio server wrote to stderr in this process, redacted, its restarts marked")
            .Requires(Permission.Read)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        servers.MapPost("/reload", Reload).WithSummary("Re-read mcp-config.json: start added servers, stop removed ones, restart changed ones")
            .Requires(Permission.Write);
        return routes;
    }

    public static async Task<Results<Ok<ReloadResult>, ProblemHttpResult>> Reload(ServerConfigurationWatcher watcher, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(await watcher.ReloadAsync(cancellationToken));
        }
        catch (OrchConfigurationException e)
        {
            return TypedResults.Problem(
                $"The file was not applied; the running servers are kept. {string.Join(" ", e.Errors)}",
                statusCode: StatusCodes.Status400BadRequest, title: "Invalid mcp-config.json",
                extensions: new Dictionary<string, object?> { ["errors"] = e.Errors });
        }
    }

    /// <summary>The servers the caller's allow-list holds.</summary>
    public static Ok<ServerStatus[]> ListServers(ClaimsPrincipal user, UpstreamRegistry upstreams) =>
        TypedResults.Ok(Visible(user, upstreams).Select(ServerStatus.From).ToArray());

    /// <summary>The calls of the last <paramref name="minutes"/> to each server the caller's allow-list holds, and to all of them.</summary>
    /// <param name="minutes">The window: the current minute and the ones before it, 1 to 1440.</param>
    public static async Task<Results<Ok<CallReport>, ProblemHttpResult>> Stats(ClaimsPrincipal user, UpstreamRegistry upstreams, CallStatistics statistics,
        CancellationToken cancellationToken, int minutes = 15)
    {
        if (minutes is < 1 or > CallStatistics.MaxMinutes)
            return TypedResults.Problem($"minutes is the window's length: from 1 to {CallStatistics.MaxMinutes} (a day), not {minutes}. E.g. /servers/stats?minutes=15.",
                statusCode: StatusCodes.Status400BadRequest, title: "Invalid request");
        return TypedResults.Ok(await statistics.ReportAsync([.. Visible(user, upstreams).Select(c => c.Name)], minutes, cancellationToken));
    }

    /// <summary>The newest <paramref name="limit"/> entries of a server's stderr in this process.</summary>
    /// <param name="limit">How many, 1 to <see cref="StandardErrorLog.Capacity"/>.</param>
    public static Results<Ok<ServerStandardError>, ProblemHttpResult> StandardError(string name, ClaimsPrincipal user, UpstreamRegistry upstreams,
        int limit = 100)
    {
        var caller = user.Caller();
        if (upstreams.Find(name) is not { } connection)
        {
            var known = Visible(user, upstreams).Select(c => c.Name).ToList();
            return TypedResults.Problem($"No MCP server is named '{name}': " +
                (known.Count == 0 ? "none is configured that this key may see." : $"the configured ones are {string.Join(", ", known)}."),
                statusCode: StatusCodes.Status404NotFound, title: "Unknown server");
        }
        if (!caller.Scope.AllowsServer(name, upstreams.ToolSeparator))
            return TypedResults.Problem($"'{caller.Name}' may not use MCP server '{name}': it is outside the key's allow-list.",
                statusCode: StatusCodes.Status403Forbidden, title: "Server not allowed");
        if (limit is < 1 or > StandardErrorLog.Capacity)
            return TypedResults.Problem($"limit is how many of the newest lines to show: from 1 to {StandardErrorLog.Capacity} (the lines kept per server), not {limit}.",
                statusCode: StatusCodes.Status400BadRequest, title: "Invalid request");
        return TypedResults.Ok(ServerStandardError.From(connection, limit));
    }

    static IEnumerable<UpstreamConnection> Visible(ClaimsPrincipal user, UpstreamRegistry upstreams)
    {
        var scope = user.Caller().Scope;
        return upstreams.Connections.Where(c => scope.AllowsServer(c.Name, upstreams.ToolSeparator));
    }
}
