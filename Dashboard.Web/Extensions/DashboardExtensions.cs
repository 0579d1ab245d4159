using Dashboard.Web.Api;
using Dashboard.Web.Auth;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.FluentUI.AspNetCore.Components;

namespace Microsoft.Extensions.Hosting;

public static class DashboardExtensions
{
    /// <summary>The address of Proxy.Api, resolved by service discovery (<c>services__proxy-api__http__0</c>).</summary>
    public const string ProxyApiAddress = "https+http://proxy-api";

    /// <summary>FluentUI, interactive server rendering, the cookie session and the typed client of Proxy.Api.</summary>
    public static IHostApplicationBuilder AddDashboard(this IHostApplicationBuilder builder)
    {
        // Run from build output (the AppHost, dotnet run) the framework's and FluentUI's files are found through the static
        // web assets manifest, which ASP.NET Core reads only in Development unless asked; published output has them in wwwroot.
        if (builder is WebApplicationBuilder web)
            web.WebHost.UseStaticWebAssets();

        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddFluentUIComponents();

        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.LoginPath = SignInEndpoints.SignInPage;
                options.LogoutPath = SignInEndpoints.SignOutPath;
                options.AccessDeniedPath = "/forbidden";
                options.Cookie.Name = "mcp-orch-dashboard";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(DashboardPolicies.Write, p => p.RequireClaim(DashboardUser.PermissionClaim, "write"))
            .AddPolicy(DashboardPolicies.Execute, p => p.RequireClaim(DashboardUser.PermissionClaim, "execute"));
        builder.Services.AddCascadingAuthenticationState();

        builder.Services.AddHttpClient<ProxyApi>(client => client.BaseAddress = new Uri(ProxyApiAddress));
        return builder;
    }
}
