using McpOrch.Core.Upstreams;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using static Proxy.Api.Mcp.McpRoutes;

namespace Proxy.Api.Mcp;

/// <summary>
/// <c>prompts/list</c>, <c>prompts/get</c>, <c>completion/complete</c> and <c>logging/setLevel</c>: passed to the server
/// of <c>/mcp/{server}</c> as they are, or on <c>/mcp</c> routed by name (<c>server.prompt</c>) or URI, or sent to every
/// server.
/// </summary>
public static class ProxyPromptHandlers
{
    static McpRoutes Routes<T>(RequestContext<T> request) => request.Services!.GetRequiredService<McpRoutes>();

    public static async ValueTask<ListPromptsResult> ListAsync(RequestContext<ListPromptsRequestParams> request, CancellationToken cancellationToken)
    {
        var routes = Routes(request);
        var caller = CallerOf(request);
        if (Endpoint(request) is { } endpoint)
            return await SendAsync<ListPromptsRequestParams, ListPromptsRequestParams, ListPromptsResult>(request, routes.Server(caller, endpoint),
                RequestMethods.PromptsList, request.Params ?? new(), cancellationToken);
        var (page, next) = await routes.PageAsync<ListPromptsResult>(routes.Servers(caller, c => c.Prompts is not null), request.Params?.Cursor,
            async (server, cursor) =>
            {
                var prompts = await SendAsync<ListPromptsRequestParams, ListPromptsRequestParams, ListPromptsResult>(request, server, RequestMethods.PromptsList,
                    new ListPromptsRequestParams { Cursor = cursor, Meta = request.Params?.Meta }, cancellationToken);
                foreach (var prompt in prompts.Prompts)
                    prompt.Name = routes.ExposedName(server.Name, prompt.Name);
                return prompts;
            });
        return new ListPromptsResult { Prompts = page.Prompts, NextCursor = next, Meta = page.Meta };
    }

    public static async ValueTask<GetPromptResult> GetAsync(RequestContext<GetPromptRequestParams> request, CancellationToken cancellationToken)
    {
        var parameters = request.Params ?? throw new McpProtocolException("prompts/get needs a prompt name.", McpErrorCode.InvalidParams);
        var routes = Routes(request);
        var caller = CallerOf(request);
        var (server, name) = Endpoint(request) is { } endpoint ? (routes.Server(caller, endpoint), parameters.Name) : routes.ResolveName(caller, parameters.Name);
        var result = await SendAsync<GetPromptRequestParams, GetPromptRequestParams, GetPromptResult>(request, server, RequestMethods.PromptsGet,
            new GetPromptRequestParams { Name = name, Arguments = parameters.Arguments, Meta = parameters.Meta }, cancellationToken);
        return Endpoint(request) is null ? RewriteUris(result, uri => ExposedUri(server.Name, uri)) : result;
    }

    public static async ValueTask<CompleteResult> CompleteAsync(RequestContext<CompleteRequestParams> request, CancellationToken cancellationToken)
    {
        var parameters = request.Params ?? throw new McpProtocolException("completion/complete needs a reference.", McpErrorCode.InvalidParams);
        var routes = Routes(request);
        var caller = CallerOf(request);
        UpstreamConnection server;
        var reference = parameters.Ref;
        if (Endpoint(request) is { } endpoint)
            server = routes.Server(caller, endpoint);
        else if (reference is PromptReference prompt)
            (server, reference) = routes.ResolveName(caller, prompt.Name) is var (owner, name) ? (owner, new PromptReference { Name = name }) : default;
        else if (reference is ResourceTemplateReference { Uri: not null } template)
            (server, reference) = routes.ResolveUri(caller, template.Uri) is var (owner, uri) ? (owner, new ResourceTemplateReference { Uri = uri }) : default;
        else
            throw new McpProtocolException("completion/complete needs a ref/prompt or ref/resource reference.", McpErrorCode.InvalidParams);
        return await SendAsync<CompleteRequestParams, CompleteRequestParams, CompleteResult>(request, server, RequestMethods.CompletionComplete,
            new CompleteRequestParams { Ref = reference, Argument = parameters.Argument, Context = parameters.Context, Meta = parameters.Meta },
            cancellationToken);
    }

    /// <summary>
    /// Remembers the session's level (log messages are filtered by it, and it travels in the <c>_meta</c> of the
    /// session's requests to 2026-07-28 servers) and passes it on to the older servers it reaches.
    /// </summary>
    public static async ValueTask<EmptyResult> SetLevelAsync(RequestContext<SetLevelRequestParams> request, CancellationToken cancellationToken)
    {
        var parameters = request.Params ?? throw new McpProtocolException("logging/setLevel needs a level.", McpErrorCode.InvalidParams);
        if (request.Services!.GetRequiredService<DownstreamSessions>().Of(request.Server) is { } session)
            session.LogLevel = parameters.Level;
        var routes = Routes(request);
        var caller = CallerOf(request);
        var servers = Endpoint(request) is { } endpoint ? [routes.Server(caller, endpoint)] : routes.Servers(caller, c => c.Logging is not null);
        // A 2026-07-28 server has no logging/setLevel: it gets the level with each request of the session instead.
        servers = [.. servers.Where(s => !s.SpeaksListen)];
        await Task.WhenAll(servers.Select(server => SendAsync<SetLevelRequestParams, SetLevelRequestParams, EmptyResult>(request, server,
            RequestMethods.LoggingSetLevel, new SetLevelRequestParams { Level = parameters.Level }, cancellationToken)));
        return new EmptyResult();
    }
}
