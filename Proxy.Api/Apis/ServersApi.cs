using System.Security.Claims;
using McpOrch.Core.Configuration;
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
        TypedResults.Ok(upstreams.Connections.Where(c => user.Caller().Scope.AllowsServer(c.Name, upstreams.ToolSeparator)).Select(ServerStatus.From).ToArray());
}
