using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Dashboard.Web.Api;

namespace Dashboard.Web.Auth;

/// <summary>Signing in is the page <see cref="SignInPage"/> (a form, rendered on the server); signing out is a POST.</summary>
public static class SignInEndpoints
{
    public const string SignInPage = "/sign-in";
    public const string SignOutPath = "/auth/sign-out";

    /// <summary>The audit log as CSV, with the filters of <c>GET /admin/audit</c>: the browser has no key, the session has.</summary>
    public const string AuditExport = "/export/audit.csv";

    public static IEndpointRouteBuilder MapSignIn(this IEndpointRouteBuilder routes)
    {
        routes.MapPost(SignOutPath, (Delegate)SignOutAsync);
        routes.MapGet(AuditExport, ExportAuditAsync).RequireAuthorization(DashboardPolicies.Write);
        return routes;
    }

    static async Task ExportAuditAsync(HttpContext http, ProxyApi proxy, string? caller, string? server, string? tool, string? outcome,
        string? source, DateTimeOffset? from, DateTimeOffset? to)
    {
        try
        {
            using var answer = await proxy.AuditCsvAsync(DashboardUser.Key(http.User)!, new AuditFilter(caller, server, tool, outcome, source, from, to),
                http.RequestAborted);
            http.Response.ContentType = answer.Content.Headers.ContentType?.ToString() ?? "text/csv";
            http.Response.Headers.ContentDisposition = answer.Content.Headers.ContentDisposition?.ToString() ?? "attachment; filename=audit.csv";
            await answer.Content.CopyToAsync(http.Response.Body, http.RequestAborted);
        }
        catch (Exception e) when (e is ProxyApiException or SessionEndedException)
        {
            http.Response.StatusCode = e is ProxyApiException p ? (int)p.Status : StatusCodes.Status401Unauthorized;
            http.Response.ContentType = "text/plain";
            await http.Response.WriteAsync(e.Message, http.RequestAborted);
        }
    }

    static async Task<IResult> SignOutAsync(HttpContext http)
    {
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return TypedResults.LocalRedirect(SignInPage);
    }
}
