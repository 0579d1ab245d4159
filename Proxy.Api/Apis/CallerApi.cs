using System.Security.Claims;
using McpOrch.Core.Configuration;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Proxy.Api.Security;

namespace Proxy.Api.Apis;

/// <summary>
/// <c>GET /me</c>: who the credential of the request stands for and what it may do, so that a client (the dashboard,
/// after sign-in) can check a key and show only what the caller can use. Any authenticated caller; never a secret.
/// </summary>
public static class CallerApi
{
    public static IEndpointRouteBuilder MapCallerApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/me", Me).WithTags("Caller")
            .WithSummary("The caller: name, where its credential comes from, permissions, allow-list patterns and rate limit")
            .RequireAuthorization();
        return routes;
    }

    public static Ok<CallerInfo> Me(ClaimsPrincipal user, IOptions<OrchOptions> options) =>
        TypedResults.Ok(CallerInfo.From(user.Caller(), options.Value.Security.RateLimit));
}
