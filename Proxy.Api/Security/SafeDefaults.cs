using System.Text;
using McpOrch.Core.Configuration;
using Proxy.Api.Extensions;

namespace Proxy.Api.Security;

/// <summary>Security settings that must stop the start rather than run unsafe.</summary>
public static class SafeDefaults
{
    /// <summary>HS256 needs a key of at least 256 bits.</summary>
    const int MinJwtSecretBytes = 32;

    /// <summary>What is wrong, one line each; empty when the gateway may start.</summary>
    public static IReadOnlyList<string> Problems(IConfiguration configuration, OrchOptions options)
    {
        var problems = new List<string>();
        var security = options.Security;
        if (!security.EnableAuth && !security.Insecure && ListeningExtensions.PublicHosts(configuration, options.Server) is { Count: > 0 } hosts)
            problems.Add($"security.enable_auth is false, and the gateway would listen on {string.Join(", ", hosts)}, not only on loopback: " +
                "anyone who reaches the address could call every tool with your servers' credentials. Turn authentication on, " +
                "listen on 127.0.0.1, or pass --insecure if that is really meant.");
        if (security.JwtSecret is { } secret && Encoding.UTF8.GetByteCount(secret) < MinJwtSecretBytes)
            problems.Add($"JWT_SECRET (security.jwt_secret) is {Encoding.UTF8.GetByteCount(secret)} bytes: HS256 needs at least {MinJwtSecretBytes}. " +
                "Use a long random value, e.g. the output of 'openssl rand -base64 48'.");
        return problems;
    }
}
