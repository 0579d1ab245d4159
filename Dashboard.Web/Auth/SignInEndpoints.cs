using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Dashboard.Web.Auth;

/// <summary>Signing in is the page <see cref="SignInPage"/> (a form, rendered on the server); signing out is a POST.</summary>
public static class SignInEndpoints
{
    public const string SignInPage = "/sign-in";
    public const string SignOutPath = "/auth/sign-out";

    public static IEndpointRouteBuilder MapSignIn(this IEndpointRouteBuilder routes)
    {
        routes.MapPost(SignOutPath, (Delegate)SignOutAsync);
        return routes;
    }

    static async Task<IResult> SignOutAsync(HttpContext http)
    {
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return TypedResults.LocalRedirect(SignInPage);
    }
}
