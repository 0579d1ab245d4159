using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Proxy.Api.Security;

/// <summary>
/// Declares the credentials in the OpenAPI document, so that <c>/docs</c> offers a field for the key and generated
/// clients send it: <c>X-API-Key</c>, or <c>Authorization: Bearer</c> with a key or a JWT.
/// </summary>
public static class OpenApiSecurity
{
    public static OpenApiOptions DescribeCredentials(this OpenApiOptions options) => options.AddDocumentTransformer((document, _, _) =>
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["apiKey"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = Authentication.ApiKeyHeader,
            Description = "An API key: from security.api_keys, API_KEY, POST /admin/keys, or printed at first start.",
        };
        document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http, Scheme = "bearer",
            Description = "An API key, or a JWT signed with JWT_SECRET (HS256).",
        };
        // Either one.
        document.Security =
        [
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("apiKey", document)] = [] },
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] },
        ];
        return Task.CompletedTask;
    });
}
