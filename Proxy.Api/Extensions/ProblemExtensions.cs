using McpOrch.Core.Configuration;
using Microsoft.AspNetCore.Diagnostics;

namespace Proxy.Api.Extensions;

/// <summary>
/// Every 4xx and 5xx answer is problem details (RFC 7807) that say what is wrong and how to fix it. The endpoints write
/// their own; this is the one place for the answers that come from the framework with no body: a path nothing serves
/// (or another <c>--mode</c> would), a method the path does not take, a body over <c>security.max_request_bytes</c>,
/// and a failure of the gateway itself.
/// </summary>
public static class ProblemExtensions
{
    /// <summary>
    /// Problem details for every error; a query or route value that does not bind (<c>?minutes=abc</c>) becomes a 400 that
    /// names the parameter and the value, rather than an empty 400 the framework would send.
    /// </summary>
    public static WebApplicationBuilder AddProblemBodies(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return builder;
    }

    public static WebApplication UseProblemBodies(this WebApplication app, OrchOptions options)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Kestrel's refusals (a body over the limit) carry the client's status; they are no fault of the gateway's.
            ExceptionHandler = context => WriteAsync(context,
                context.Features.Get<IExceptionHandlerFeature>()?.Error is BadHttpRequestException refused ? refused.StatusCode : StatusCodes.Status500InternalServerError,
                options),
            SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException,
        });
        app.UseStatusCodePages(context => WriteAsync(context.HttpContext, context.HttpContext.Response.StatusCode, options));
        return app;
    }

    /// <summary>
    /// Written as it is, not through the problem-details service, which writes nothing for a client that does not
    /// accept JSON (a browser): such a client would get a bare status again.
    /// </summary>
    static Task WriteAsync(HttpContext context, int status, OrchOptions options)
    {
        var (title, detail) = Explain(context, status, options);
        return TypedResults.Problem(detail, statusCode: status, title: title).ExecuteAsync(context);
    }

    /// <summary>The title (null: the status's name) and the detail of a problem nothing else described.</summary>
    static (string? Title, string? Detail) Explain(HttpContext context, int status, OrchOptions options)
    {
        var request = context.Request;
        return status switch
        {
            StatusCodes.Status404NotFound when ModeThatServes(request.Path, options.Server.Mode) is { } served =>
                ("Not served in this mode", $"{served}; this gateway runs --mode {options.Server.Mode.ToString().ToLowerInvariant()} (server.mode in config.yaml)."),
            StatusCodes.Status404NotFound when context.GetEndpoint() is null =>
                (null, $"Nothing is served at {request.Path}: GET /openapi/v1.json (or /docs in a browser) lists the REST API" +
                    (options.Server.Mode == ServerMode.Batch ? "." : ", and MCP clients connect to /mcp.")),
            StatusCodes.Status405MethodNotAllowed =>
                (null, $"{request.Method} is not served at {request.Path}; it takes {context.Response.Headers.Allow}."),
            StatusCodes.Status400BadRequest when context.Features.Get<IExceptionHandlerFeature>()?.Error is BadHttpRequestException refused =>
                (null, $"{refused.Message} /openapi/v1.json describes every parameter."),
            StatusCodes.Status413PayloadTooLarge =>
                (null, $"The body is larger than security.max_request_bytes ({options.Security.MaxRequestBytes} bytes): send less, or raise the setting."),
            StatusCodes.Status415UnsupportedMediaType =>
                (null, $"{request.Method} {request.Path} does not take a body of type '{request.ContentType}'."),
            >= StatusCodes.Status500InternalServerError =>
                (null, $"MCP Orch failed while answering {request.Method} {request.Path}: the fault is the gateway's, not the request's, and its log says what happened."),
            _ => (null, null),
        };
    }

    /// <summary>Which modes serve <paramref name="path"/>, when this <paramref name="mode"/> does not.</summary>
    static string? ModeThatServes(PathString path, ServerMode mode) => mode switch
    {
        ServerMode.Proxy when path.StartsWithSegments("/batch") => "Batch runs are served in --mode batch or hybrid",
        ServerMode.Batch when path.StartsWithSegments("/mcp") || IsPassthrough(path) => "MCP endpoints are served in --mode proxy or hybrid",
        _ => null,
    };

    /// <summary><c>/servers/{name}/mcp…</c>.</summary>
    static bool IsPassthrough(PathString path) =>
        path.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries) is ["servers", _, "mcp", ..];
}
