using McpOrch.Core.Catalog;
using McpOrch.Core.Configuration;
using McpOrch.Core.Upstreams;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Proxy.Api.Mcp;
using Proxy.Api.Security;

namespace Proxy.Api.Extensions;

public static class ProxyExtensions
{
    /// <summary>
    /// The upstream connections, and one MCP server whose tools are theirs, merged. The caller picks the
    /// transport: <c>WithProxyHttpTransport()</c> or <c>WithStdioServerTransport()</c>, and adds the database first
    /// (<c>TryAddOrchDatabase</c>): the audit log writes there.
    /// </summary>
    public static IMcpServerBuilder AddMcpProxy(this IHostApplicationBuilder builder)
    {
        builder.AddUpstreams();
        builder.AddToolGate();
        builder.AddCatalogPublishing();
        builder.Services.AddSingleton<CatalogChangeNotifier>();
        builder.Services.AddHostedService(services => services.GetRequiredService<CatalogChangeNotifier>());
        builder.Services.AddHttpContextAccessor();

        builder.Services.AddSingleton<ClientRequestRelay>();
        builder.Services.AddSingleton<McpRoutes>();
        builder.Services.AddSingleton<DownstreamSessions>();
        builder.Services.AddSingleton<InputRounds>();
        builder.Services.AddSingleton<ResourceSubscriptions>();
        builder.Services.AddSingleton<SessionUpstreams>();
        builder.Services.AddHostedService(s => s.GetRequiredService<SessionUpstreams>());
        builder.Services.AddHostedService<UpstreamNotifications>();

        builder.Services.AddOptions<McpServerOptions>().Configure<CatalogChangeNotifier>((options, notifier) => options.ToolCollection = notifier);
        return builder.Services.AddMcpServer(options =>
            {
                options.ServerInfo = new Implementation { Name = "mcp-orch", Version = "1.0.0" };
                // What the servers behind it can do: each request goes to the ones that can.
                options.Capabilities = new ServerCapabilities
                {
                    Tools = new ToolsCapability { ListChanged = true },
                    Resources = new ResourcesCapability { Subscribe = true, ListChanged = true },
                    Prompts = new PromptsCapability { ListChanged = true },
                    Logging = new LoggingCapability(),
                    Completions = new CompletionsCapability(),
                };
                // 2026-07-28 clients hear list changes and resource updates on their subscriptions/listen streams.
                options.Handlers.SubscriptionsListenHandler = McpRoutes.Forwarding<SubscriptionsListenRequestParams, EmptyResult>(ProxyResourceHandlers.ListenAsync);
            })
            .WithMessageFilters(filters => filters.AddIncomingFilter(InvalidParams.Filter))
            .WithListToolsHandler(ProxyToolHandlers.ListToolsAsync)
            .WithCallToolHandler(ProxyToolHandlers.CallToolAsync)
            .WithListResourcesHandler(McpRoutes.Forwarding<ListResourcesRequestParams, ListResourcesResult>(ProxyResourceHandlers.ListAsync))
            .WithListResourceTemplatesHandler(McpRoutes.Forwarding<ListResourceTemplatesRequestParams, ListResourceTemplatesResult>(ProxyResourceHandlers.ListTemplatesAsync))
            .WithReadResourceHandler(McpRoutes.Forwarding<ReadResourceRequestParams, ReadResourceResult>(ProxyResourceHandlers.ReadAsync))
            .WithSubscribeToResourcesHandler(McpRoutes.Forwarding<SubscribeRequestParams, EmptyResult>(ProxyResourceHandlers.SubscribeAsync))
            .WithUnsubscribeFromResourcesHandler(McpRoutes.Forwarding<UnsubscribeRequestParams, EmptyResult>(ProxyResourceHandlers.UnsubscribeAsync))
            .WithListPromptsHandler(McpRoutes.Forwarding<ListPromptsRequestParams, ListPromptsResult>(ProxyPromptHandlers.ListAsync))
            .WithGetPromptHandler(McpRoutes.Forwarding<GetPromptRequestParams, GetPromptResult>(ProxyPromptHandlers.GetAsync))
            .WithCompleteHandler(McpRoutes.Forwarding<CompleteRequestParams, CompleteResult>(ProxyPromptHandlers.CompleteAsync))
            .WithSetLoggingLevelHandler(McpRoutes.Forwarding<SetLevelRequestParams, EmptyResult>(ProxyPromptHandlers.SetLevelAsync));
    }

    /// <summary>
    /// Publishes every catalog change as a versioned snapshot: to Redis when <c>ConnectionStrings:redis</c> is set
    /// (other services read it there), in memory otherwise.
    /// </summary>
    static void AddCatalogPublishing(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        if (builder.TryAddRedisClient())
            builder.Services.AddSingleton<ICatalogStore, RedisCatalogStore>();
        else
            builder.Services.AddSingleton<ICatalogStore, InMemoryCatalogStore>();
        builder.Services.AddHostedService<CatalogPublisher>();
    }

    /// <summary>
    /// Streamable HTTP. Sessions are stateful for clients that initialize (the 2025 revisions), which keeps
    /// server-to-client requests and the GET stream possible; 2026-07-28 clients need no session.
    /// </summary>
    public static IMcpServerBuilder WithProxyHttpTransport(this IMcpServerBuilder mcp, bool legacySse)
    {
        // Streams are kept for resumption (Last-Event-ID), in memory; a resumption that finds no event yet waits a moment.
        mcp.Services.AddDistributedMemoryCache();
        mcp.WithDistributedCacheEventStreamStore();
        mcp.Services.AddSingleton<DistributedCacheEventStreamStore>();
        mcp.Services.AddSingleton<ISseEventStreamStore>(s => new WaitingEventStreamStore(s.GetRequiredService<DistributedCacheEventStreamStore>()));
        mcp.WithHttpTransport(options =>
        {
            options.SessionMode = HttpServerSessionMode.StatefulForInitializeClients;
            // The old HTTP+SSE transport too, when asked for (server.legacy_sse): GET /mcp/sse and /mcp/{server}/sse.
#pragma warning disable MCP9004 // No backpressure on its POSTs: off unless configured, and behind authentication.
            options.EnableLegacySse = legacySse;
#pragma warning restore MCP9004
            // Every session is known for its life: upstream log messages, resource updates and list changes reach it.
            options.RunSessionHandler = (context, server, cancellationToken) =>
                context.RequestServices.GetRequiredService<DownstreamSessions>().RunAsync(
                    new DownstreamSession(server, context.GetRouteValue(ProxyToolHandlers.ServerRouteValue) as string, context.User.Caller().Scope),
                    () => server.RunAsync(cancellationToken));
        });
        return mcp;
    }

    /// <summary>
    /// <c>/mcp</c>: every server's tools, namespaced; <c>/mcp/{server}</c>: one server's tools under their own names.
    /// Both need the read permission (calling a tool needs execute, which the handler checks).
    /// </summary>
    public static WebApplication MapMcpEndpoints(this WebApplication app)
    {
        // An unknown {server}, or one outside the caller's allow-list, is refused before any MCP handshake, not a
        // session that can do nothing. This runs after authorization: strangers learn no server names.
        app.Use(async (context, next) =>
        {
            if (context.GetRouteValue(ProxyToolHandlers.ServerRouteValue) is string server && context.Request.Path.StartsWithSegments("/mcp"))
            {
                var upstreams = context.RequestServices.GetRequiredService<UpstreamRegistry>();
                if (upstreams.Find(server) is null)
                {
                    await TypedResults.Problem($"No MCP server is named '{server}': GET /servers lists the configured ones.",
                        statusCode: StatusCodes.Status404NotFound, title: "Unknown server").ExecuteAsync(context);
                    return;
                }
                if (context.User.Caller() is { } caller && !caller.Scope.AllowsServer(server, upstreams.ToolSeparator))
                {
                    await TypedResults.Problem($"'{caller.Name}' may not use MCP server '{server}': it is outside the key's allow-list.",
                        statusCode: StatusCodes.Status403Forbidden, title: "Server not allowed").ExecuteAsync(context);
                    return;
                }
            }
            await next(context);
        });
        app.Use(SessionProtocolVersion.Tolerate);
        // MCP speaks JSON-RPC, not REST: it stays out of the OpenAPI document.
        app.MapMcp("/mcp").ExcludeFromDescription().Requires(Permission.Read);
        app.MapMcp($"/mcp/{{{ProxyToolHandlers.ServerRouteValue}}}").ExcludeFromDescription().Requires(Permission.Read);
        return app;
    }
}
