using McpOrch.Core.Configuration;
using McpOrch.Core.Upstreams;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Proxy.Api.Apis;

/// <summary>The configured servers and how each one is doing.</summary>
public static class ServersApi
{
    public static IEndpointRouteBuilder MapServersApi(this IEndpointRouteBuilder routes)
    {
        var servers = routes.MapGroup("/servers").WithTags("Servers");
        servers.MapGet("/", ListServers).WithSummary("Each server: status, transport, protocol, tools, uptime, restarts, last error");
        servers.MapPost("/reload", Reload).WithSummary("Re-read mcp-config.json: start added servers, stop removed ones, restart changed ones");
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

    public static Ok<ServerStatus[]> ListServers(UpstreamRegistry upstreams) =>
        TypedResults.Ok(upstreams.Connections.Select(ServerStatus.From).ToArray());
}
