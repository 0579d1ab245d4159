using System.Globalization;
using System.Security.Claims;
using McpOrch.Core.Configuration;
using McpOrch.Core.Security;

namespace Proxy.Api.Security;

/// <summary>
/// The caller a valid JWT stands for. Claims: <c>sub</c> (required; the caller's name unless <c>name</c> is given),
/// <c>permissions</c> (an array, or one string separated by spaces or commas: read, execute, write), <c>servers</c>
/// and <c>tools</c> (arrays of glob patterns, as for API keys) and <c>rate_limit</c> (tool calls per minute).
/// </summary>
public static class JwtCaller
{
    public static Caller? From(ClaimsPrincipal token, out string problem)
    {
        problem = "";
        if (token.FindFirst("sub")?.Value is not { Length: > 0 } subject)
        {
            problem = "The token has no sub claim: it must name its subject.";
            return null;
        }
        var permissions = Permission.None;
        foreach (var name in Values(token, "permissions"))
        {
            if (!PermissionNames.TryParse(name, out var permission))
            {
                problem = $"The token's permissions claim names '{name}': the permissions are read, execute and write.";
                return null;
            }
            permissions |= permission;
        }
        int? rateLimit = null;
        if (token.FindFirst("rate_limit")?.Value is { } limit)
        {
            if (!int.TryParse(limit, NumberStyles.Integer, CultureInfo.InvariantCulture, out var perMinute) || perMinute < 1)
            {
                problem = $"The token's rate_limit claim must be a whole number of calls per minute, at least 1, not '{limit}'.";
                return null;
            }
            rateLimit = perMinute;
        }
        var scope = new ToolScope([.. Values(token, "servers")], [.. Values(token, "tools")]);
        return new Caller($"jwt:{subject}", token.FindFirst("name")?.Value ?? subject, permissions, scope, rateLimit);
    }

    static IEnumerable<string> Values(ClaimsPrincipal token, string type) =>
        token.FindAll(type).SelectMany(c => c.Value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
