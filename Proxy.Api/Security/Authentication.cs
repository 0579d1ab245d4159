using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using McpOrch.Core.Configuration;
using McpOrch.Core.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Proxy.Api.Security;

/// <summary>
/// Who is calling: an API key (<c>Authorization: Bearer &lt;key&gt;</c> or <c>X-API-Key</c>) or a JWT signed with
/// <c>JWT_SECRET</c> (HS256), turned into a <see cref="Caller"/>; and the permission each endpoint needs. With
/// <c>security.enable_auth: false</c> every request is <see cref="Caller.Anonymous"/>, and the same checks pass.
/// </summary>
public static class Authentication
{
    const string Scheme = "McpOrch";
    const string ApiKeyScheme = "ApiKey";
    const string JwtScheme = "Jwt";
    const string OpenScheme = "Open";

    /// <summary>The header for an API key, besides <c>Authorization: Bearer</c>.</summary>
    public const string ApiKeyHeader = "X-API-Key";

    public static WebApplicationBuilder AddOrchAuthentication(this WebApplicationBuilder builder, SecurityOptions security)
    {
        var auth = builder.Services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "API key or JWT", o => o.ForwardDefaultSelector = context =>
                !security.EnableAuth ? OpenScheme
                : security.JwtSecret is not null && BearerToken(context.Request)?.Count(c => c == '.') == 2 ? JwtScheme
                : ApiKeyScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(ApiKeyScheme, null)
            .AddScheme<AuthenticationSchemeOptions, OpenHandler>(OpenScheme, null);
        if (security.JwtSecret is { } secret)
            auth.AddJwtBearer(JwtScheme, jwt =>
            {
                var skew = TimeSpan.FromSeconds(30);
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)),
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    ValidateIssuer = false,
                    ValidateAudience = false,
                    RequireExpirationTime = true,
                    ClockSkew = skew,
                };
                jwt.Events = new JwtBearerEvents
                {
                    OnTokenValidated = context =>
                    {
                        var maxLifetime = security.JwtMaxLifetime;
                        if (context.SecurityToken.ValidTo > DateTime.UtcNow + maxLifetime + skew)
                            context.Fail($"The token expires at {context.SecurityToken.ValidTo:u}, more than security.jwt_max_lifetime " +
                                $"({maxLifetime.TotalHours:0.##}h) from now: issue tokens whose exp is at most that far ahead, or raise the setting.");
                        else if (JwtCaller.From(context.Principal!, out var problem) is { } caller)
                            context.Principal = CallerIdentity.Principal(caller, JwtScheme);
                        else
                            context.Fail(problem);
                        return Task.CompletedTask;
                    },
                };
            });
        var policies = builder.Services.AddAuthorizationBuilder();
        foreach (var permission in new[] { Permission.Read, Permission.Execute, Permission.Write })
            policies.AddPolicy(Policy(permission), p => p.AddRequirements(new PermissionRequirement(permission)));
        builder.Services.AddSingleton<ApiKeys>();
        builder.Services.AddSingleton<IAuthorizationHandler, PermissionHandler>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemResultHandler>();
        return builder;
    }

    /// <summary>The policy an endpoint names to need <paramref name="permission"/>.</summary>
    public static string Policy(Permission permission) => permission.ToString().ToLowerInvariant();

    /// <summary>Requires <paramref name="permission"/> of every endpoint of <paramref name="endpoints"/>.</summary>
    public static TBuilder Requires<TBuilder>(this TBuilder endpoints, Permission permission) where TBuilder : IEndpointConventionBuilder =>
        endpoints.RequireAuthorization(Policy(permission));

    /// <summary>The authenticated caller of <paramref name="user"/>.</summary>
    /// <exception cref="InvalidOperationException">The request was not authenticated (an endpoint without a policy).</exception>
    public static Caller Caller(this ClaimsPrincipal user) =>
        user.Identities.OfType<CallerIdentity>().FirstOrDefault()?.Caller
        ?? throw new InvalidOperationException("The request was not authenticated: the endpoint needs a permission policy.");

    static string? BearerToken(HttpRequest request) =>
        request.Headers.Authorization.ToString() is { } header && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? header["Bearer ".Length..].Trim()
            : null;

    sealed class ApiKeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeys keys)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var secret = Request.Headers[ApiKeyHeader].ToString() is { Length: > 0 } header ? header : BearerToken(Request);
            if (string.IsNullOrEmpty(secret))
                return AuthenticateResult.NoResult();
            return await keys.AuthenticateAsync(secret, Context.RequestAborted) is { } caller
                ? AuthenticateResult.Success(new AuthenticationTicket(CallerIdentity.Principal(caller, Scheme.Name), Scheme.Name))
                : AuthenticateResult.Fail("The API key is not valid: it was revoked, or never issued.");
        }
    }

    /// <summary>Authentication off: everyone is <see cref="Caller.Anonymous"/>.</summary>
    sealed class OpenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
            Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(CallerIdentity.Principal(McpOrch.Core.Security.Caller.Anonymous, Scheme.Name), Scheme.Name)));
    }

    sealed record PermissionRequirement(Permission Permission) : IAuthorizationRequirement;

    sealed class PermissionHandler : AuthorizationHandler<PermissionRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
        {
            if (context.User.Identities.OfType<CallerIdentity>().FirstOrDefault()?.Caller.Has(requirement.Permission) == true)
                context.Succeed(requirement);
            return Task.CompletedTask;
        }
    }

    /// <summary>401 and 403 as problem details that say what is missing and how to send it.</summary>
    sealed class ProblemResultHandler : IAuthorizationMiddlewareResultHandler
    {
        public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
        {
            if (result.Succeeded)
            {
                await next(context);
                return;
            }
            if (result.Challenged || !context.User.Identities.OfType<CallerIdentity>().Any())
            {
                // The handlers keep their result for the request: this asks nobody twice.
                var failure = (await context.AuthenticateAsync()).Failure;
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await TypedResults.Problem(failure is null
                        ? $"Send an API key as 'Authorization: Bearer <key>' or '{ApiKeyHeader}: <key>', or a JWT signed with JWT_SECRET. " +
                          "The first start in a terminal printed an admin key (none is made over stdio); API_KEY sets one; POST /admin/keys makes more."
                        : Describe(failure),
                    statusCode: StatusCodes.Status401Unauthorized, title: "Authentication required").ExecuteAsync(context);
                return;
            }
            var caller = context.User.Caller();
            var missing = result.AuthorizationFailure?.FailedRequirements.OfType<PermissionRequirement>().Select(r => Policy(r.Permission)).FirstOrDefault() ?? "?";
            var has = PermissionNames.Of(caller.Permissions);
            await TypedResults.Problem(
                $"'{caller.Name}' lacks the {missing} permission, which {context.Request.Method} {context.Request.Path} needs " +
                $"(it has: {(has.Count > 0 ? string.Join(", ", has) : "none")}).",
                statusCode: StatusCodes.Status403Forbidden, title: "Permission missing").ExecuteAsync(context);
        }

        static string Describe(Exception failure) => failure switch
        {
            SecurityTokenExpiredException expired => $"The token expired at {expired.Expires:u}: get a new one.",
            SecurityTokenNoExpirationException => "The token has no exp claim: tokens must expire.",
            SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException =>
                "The token's signature does not match: it must be signed (HS256) with the gateway's JWT_SECRET.",
            SecurityTokenInvalidAlgorithmException => "The token must be signed with HS256.",
            SecurityTokenNotYetValidException => "The token is not valid yet (nbf).",
            SecurityTokenException => $"The token is not valid: {failure.Message}",
            _ => failure.Message,
        };
    }
}

/// <summary>The identity of an authenticated request: the <see cref="Caller"/>, with its id as the name identifier
/// (the MCP SDK binds a session to that claim: another caller presenting the session id gets 403).</summary>
public sealed class CallerIdentity(Caller caller, string scheme)
    : ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, caller.Id), new Claim(ClaimTypes.Name, caller.Name)], scheme)
{
    public Caller Caller { get; } = caller;

    public static ClaimsPrincipal Principal(Caller caller, string scheme) => new(new CallerIdentity(caller, scheme));
}
