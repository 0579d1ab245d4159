using System.Net;
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
        if (!HasHostAddresses(builder.Configuration))
        {
            var host = server.Host.Contains(':', StringComparison.Ordinal) ? $"[{server.Host}]" : server.Host;
            builder.WebHost.UseUrls($"http://{host}:{server.Port}");
        }
        return builder;
    }

    /// <summary>The addresses the gateway listens on that are not loopback ones (<c>*</c> for "every interface").</summary>
    public static IReadOnlyList<string> PublicHosts(IConfiguration configuration, ServerOptions server)
    {
        if (!HasHostAddresses(configuration))
            return IsLoopback(server.Host) ? [] : [server.Host];
        if (configuration["urls"] is not { } urls)
            return ["*"]; // HTTP_PORTS / HTTPS_PORTS: every interface.
        return [.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(url => url.Split("://", 2)[^1])
            .Select(rest => rest.StartsWith('[') ? rest[..(rest.IndexOf(']') + 1)] : rest.Split(':')[0])
            .Where(host => !IsLoopback(host))];
    }

    /// <summary>Whether an ASP.NET Core address was given (<c>--urls</c>, <c>ASPNETCORE_URLS</c>, <c>HTTP_PORTS</c>), as the AppHost and containers do.</summary>
    public static bool HasHostAddresses(IConfiguration configuration) =>
        configuration["urls"] is not null || configuration["http_ports"] is not null || configuration["https_ports"] is not null;

    static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
