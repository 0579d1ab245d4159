using McpOrch.Core.Upstreams;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Proxy.Api.Apis;

/// <summary>The configured servers and how each one is doing.</summary>
public static class ServersApi
{
    public static IEndpointRouteBuilder MapServersApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/servers").WithTags("Servers")
            .MapGet("/", ListServers).WithSummary("Each server: status, transport, protocol, tools, uptime, restarts, last error");
        return routes;
    }

    public static Ok<ServerStatus[]> ListServers(UpstreamRegistry upstreams) =>
        TypedResults.Ok(upstreams.Connections.Select(ServerStatus.From).ToArray());
}
