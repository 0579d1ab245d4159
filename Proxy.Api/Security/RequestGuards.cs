using System.Net;
using McpOrch.Core.Configuration;

namespace Proxy.Api.Security;

/// <summary>
/// Checks every request before anything else sees it: the body's size (<c>security.max_request_bytes</c>, 413), the
/// <c>Host</c> a browser was sent to (DNS rebinding: a page of evil.example whose name resolves to 127.0.0.1 must
/// not reach a gateway on loopback), and the <c>Origin</c> of browser requests (only the gateway's own pages and
/// <c>security.allowed_origins</c>). CORS is closed unless origins are allowed.
/// </summary>
public static class RequestGuards
{
    public static WebApplicationBuilder AddRequestGuards(this WebApplicationBuilder builder, SecurityOptions security)
    {
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = security.MaxRequestBytes);
        if (security.AllowedOrigins.Count > 0)
            builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy =>
            {
                if (security.AllowedOrigins.Contains("*"))
                    policy.AllowAnyOrigin();
                else
                    policy.WithOrigins([.. security.AllowedOrigins]);
                policy.AllowAnyHeader().AllowAnyMethod().WithExposedHeaders("Mcp-Session-Id", "Mcp-Protocol-Version");
            }));
        return builder;
    }

    public static WebApplication UseRequestGuards(this WebApplication app, SecurityOptions security)
    {
        app.Use(async (context, next) =>
        {
            if (Refusal(context.Request, context.Connection.LocalIpAddress, security) is { } problem)
            {
                await TypedResults.Problem(problem, statusCode: StatusCodes.Status403Forbidden, title: "Request refused").ExecuteAsync(context);
                return;
            }
            await next(context);
        });
        if (security.AllowedOrigins.Count > 0)
            app.UseCors();
        return app;
    }

    /// <summary>Why the request is refused, or null when it may go on.</summary>
    static string? Refusal(HttpRequest request, IPAddress? localAddress, SecurityOptions security)
    {
        var host = request.Host.Host;
        if (!HostAllowed(host, localAddress, security.AllowedHosts))
            return $"Host '{host}' is not one this gateway answers to. Use http://127.0.0.1:{request.Host.Port} or localhost, "
                + "or add the name to security.allowed_hosts.";
        if (request.Headers.Origin is { Count: > 0 } origins && origins.ToString() is { Length: > 0 } origin
            && !OriginAllowed(origin, request, security.AllowedOrigins))
            return $"Origin '{origin}' may not call this gateway: add it to security.allowed_origins if its pages should.";
        return null;
    }

    static bool HostAllowed(string host, IPAddress? localAddress, List<string> allowed)
    {
        if (allowed.Count > 0)
            return allowed.Any(a => a == "*" || string.Equals(a, host, StringComparison.OrdinalIgnoreCase));
        if (localAddress is null || !IPAddress.IsLoopback(localAddress))
            return true;
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>The gateway's own pages (same scheme, host and port), or a configured origin.</summary>
    static bool OriginAllowed(string origin, HttpRequest request, List<string> allowed) =>
        string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase)
        || allowed.Any(a => a == "*" || string.Equals(a.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase));
}
