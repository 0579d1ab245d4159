using System.Diagnostics;
using System.Net;
using McpOrch.Core.Configuration;
using McpOrch.Core.Upstreams;
using Proxy.Api.Security;
using Yarp.ReverseProxy.Forwarder;

namespace Proxy.Api.Apis;

/// <summary>
/// <c>/servers/{name}/mcp</c>: a remote (Streamable HTTP or SSE) server reached byte for byte through YARP — streams,
/// session headers and resumption as the server made them. The request goes to the server's configured URL (what
/// follows <c>/mcp</c> is appended, for SSE's message path), with the configured headers added and the client's
/// credentials (<c>Authorization</c>, <c>X-API-Key</c>, cookies) removed. The server is looked up per request, so
/// routes follow configuration reloads. The bytes are not read: a key with a tool allow-list cannot use it, and
/// its calls are not in the audit log.
/// </summary>
public static class PassthroughApi
{
    public static IEndpointRouteBuilder MapPassthroughApi(this IEndpointRouteBuilder routes)
    {
        routes.Map("/servers/{name}/mcp/{**rest}", ForwardAsync).Requires(Permission.Execute).ExcludeFromDescription();
        return routes;
    }

    static readonly HttpMessageInvoker Client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
        ConnectTimeout = TimeSpan.FromSeconds(15),
    });

    static async Task ForwardAsync(HttpContext context, string name, string? rest, UpstreamRegistry upstreams, IHttpForwarder forwarder)
    {
        var caller = context.User.Caller();
        var problem = upstreams.Find(name) switch
        {
            null => (StatusCodes.Status404NotFound, $"No MCP server is named '{name}': GET /servers lists the configured ones."),
            { Definition.Url: null } => (StatusCodes.Status404NotFound, $"MCP server '{name}' runs over stdio: reach it at /mcp/{name}."),
            _ when !caller.Scope.AllowsServer(name) => (StatusCodes.Status403Forbidden, $"'{caller.Name}' may not use MCP server '{name}'."),
            _ when caller.Scope.Tools.Count > 0 => (StatusCodes.Status403Forbidden,
                $"'{caller.Name}' may use only some tools, which a byte-for-byte passthrough cannot check: use /mcp/{name}."),
            _ => default((int, string)?),
        };
        if (problem is var (status, detail))
        {
            await TypedResults.Problem(detail, statusCode: status, title: "Passthrough refused").ExecuteAsync(context);
            return;
        }
        var server = upstreams.Find(name)!.Definition;
        var error = await forwarder.SendAsync(context, server.Url!.GetLeftPart(UriPartial.Authority), Client, ForwarderRequestConfig.Empty,
            new Transformer(server, rest));
        if (error != ForwarderError.None && !context.Response.HasStarted)
            await TypedResults.Problem($"MCP server '{name}' could not be reached ({error}).", statusCode: StatusCodes.Status502BadGateway,
                title: "Upstream failure").ExecuteAsync(context);
    }

    sealed class Transformer(McpServerDefinition server, string? rest) : HttpTransformer
    {
        static readonly string[] ClientCredentials = ["Authorization", Authentication.ApiKeyHeader, "Cookie", "Proxy-Authorization"];

        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix,
            CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            var url = server.Url!;
            var path = rest is { Length: > 0 } more ? $"{url.AbsolutePath.TrimEnd('/')}/{more}" : url.AbsolutePath;
            var query = string.Join("&", new[] { url.Query.TrimStart('?'), httpContext.Request.QueryString.Value?.TrimStart('?') }.Where(q => !string.IsNullOrEmpty(q)));
            proxyRequest.RequestUri = new UriBuilder(url) { Path = path, Query = query }.Uri;
            foreach (var header in ClientCredentials)
                proxyRequest.Headers.Remove(header);
            foreach (var (header, value) in server.Headers)
            {
                proxyRequest.Headers.Remove(header);
                proxyRequest.Headers.TryAddWithoutValidation(header, value);
            }
            proxyRequest.Headers.Host = null; // The server's own host, not the gateway's.
        }
    }
}
