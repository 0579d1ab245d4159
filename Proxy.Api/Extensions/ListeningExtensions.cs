using McpOrch.Core.Configuration;

namespace Proxy.Api.Extensions;

public static class ListeningExtensions
{
    /// <summary>
    /// Listens on <c>server.host</c>:<c>server.port</c> unless an ASP.NET Core address is given
    /// (ASPNETCORE_URLS, --urls, HTTP_PORTS), as the AppHost and Azure Container Apps do.
    /// </summary>
    public static WebApplicationBuilder ListenOnConfiguredAddress(this WebApplicationBuilder builder, ServerOptions server)
    {
        if (builder.Configuration["urls"] is null && builder.Configuration["http_ports"] is null && builder.Configuration["https_ports"] is null)
        {
            var host = server.Host.Contains(':', StringComparison.Ordinal) ? $"[{server.Host}]" : server.Host;
            builder.WebHost.UseUrls($"http://{host}:{server.Port}");
        }
        return builder;
    }
}
