using System.Security.Claims;
using Dashboard.Web.Api;

namespace Dashboard.Web.Auth;

/// <summary>
/// The dashboard session's user, as claims in its cookie (encrypted with ASP.NET Core data protection): the name and
/// permissions Proxy.Api gave for the key, and the key itself, which every request to Proxy.Api carries.
/// </summary>
public static class DashboardUser
{
    public const string KeyClaim = "mcp-orch:key";
    public const string PermissionClaim = "mcp-orch:permission";
    public const string SourceClaim = "mcp-orch:source";
    public const string ScopeClaim = "mcp-orch:scope";

    public static ClaimsPrincipal From(Me me, string key) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, me.Name),
            new Claim(KeyClaim, key),
            new Claim(SourceClaim, me.Source ?? ""),
            .. me.Permissions.Select(p => new Claim(PermissionClaim, p)),
            .. (me.Servers ?? []).Select(s => new Claim(ScopeClaim, "servers: " + s)),
            .. (me.Tools ?? []).Select(t => new Claim(ScopeClaim, "tools: " + t)),
        ],
        "mcp-orch", ClaimTypes.Name, null));

    public static string? Key(ClaimsPrincipal user) => user.FindFirst(KeyClaim)?.Value;

    public static bool Can(ClaimsPrincipal user, string permission) => user.HasClaim(PermissionClaim, permission);
}
