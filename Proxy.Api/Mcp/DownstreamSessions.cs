using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpOrch.Core.Security;
using McpOrch.Core.Upstreams;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Proxy.Api.Mcp;

/// <summary>A client session as an upstream sees it: requests and notifications go to its <see cref="McpServer"/>.</summary>
/// <param name="Server">The server of the client's request (bound to it: what it sends goes on that request's stream).</param>
/// <param name="LogLevel">The level the client's session set, if any.</param>
public sealed record McpDownstream(McpServer Server, LoggingLevel? LogLevel = null) : IDownstream
{
    public ClientCapabilities? Capabilities => Server.ClientCapabilities;

    public async Task<JsonNode?> RequestAsync(string method, JsonNode? parameters, CancellationToken cancellationToken) =>
        (await Server.SendRequestAsync(new JsonRpcRequest { Method = method, Params = parameters }, cancellationToken)).Result;

    public Task NotifyAsync(string method, JsonNode? parameters, CancellationToken cancellationToken) =>
        Server.SendMessageAsync(new JsonRpcNotification { Method = method, Params = parameters }, cancellationToken);
}

/// <summary>
/// An open client session: its server (the session's own, not one bound to a request), the upstream its endpoint
/// fronts (null for the merged <c>/mcp</c>), its caller's scope, and the log level it asked for.
/// </summary>
public sealed class DownstreamSession(McpServer server, string? endpoint, ToolScope scope)
{
    public McpServer Server { get; } = server;
    public string? Endpoint { get; } = endpoint;
    public ToolScope Scope { get; } = scope;

    /// <summary>Set by <c>logging/setLevel</c>; until then the session hears log messages only during its own requests.</summary>
    public LoggingLevel? LogLevel { get; set; }

    /// <summary>For a 2026-07-28 client, which has no session: its open <c>subscriptions/listen</c> request.</summary>
    public ListenStream? Listening { get; init; }

    /// <summary>Whether this session may hear about <paramref name="upstream"/>.</summary>
    public bool Sees(string upstream, string separator) => (Endpoint is null || Endpoint == upstream) && Scope.AllowsServer(upstream, separator);

    /// <summary>
    /// Sends the session a notification it has not asked for (a list change, a resource update, a log message). On a
    /// listen stream only what the client subscribed to goes, tagged with the subscription's id; a 2026-07-28 client
    /// hears nothing outside one.
    /// </summary>
    public Task NotifyAsync(string method, JsonNode? parameters, CancellationToken cancellationToken)
    {
        if (Listening is { } listening)
            return listening.Grants(method)
                ? Server.SendMessageAsync(new JsonRpcNotification { Method = method, Params = listening.Tag(parameters) }, cancellationToken)
                : Task.CompletedTask;
        return ProtocolRevisions.IsSessionless(Server.NegotiatedProtocolVersion)
            ? Task.CompletedTask
            : Server.SendMessageAsync(new JsonRpcNotification { Method = method, Params = parameters }, cancellationToken);
    }
}

/// <summary>A 2026-07-28 client's open <c>subscriptions/listen</c> request: its id, and what the proxy agreed to send on it.</summary>
public sealed record ListenStream(RequestId Id, SubscriptionsListenNotifications Granted)
{
    /// <summary>Its key among the sessions (request ids are the client's own, so not unique).</summary>
    public string Key { get; } = $"listen {Guid.NewGuid():N}";

    public bool Grants(string method) => method switch
    {
        NotificationMethods.ToolListChangedNotification => Granted.ToolsListChanged == true,
        NotificationMethods.PromptListChangedNotification => Granted.PromptsListChanged == true,
        NotificationMethods.ResourceListChangedNotification => Granted.ResourcesListChanged == true,
        NotificationMethods.ResourceUpdatedNotification => Granted.ResourceSubscriptions is { Count: > 0 },
        SubscriptionsAcknowledged => true,
        _ => false,
    };

    public const string SubscriptionsAcknowledged = "notifications/subscriptions/acknowledged";

    /// <summary><paramref name="parameters"/> with the subscription's id in <c>_meta</c>, so a client can tell its streams apart.</summary>
    public JsonNode Tag(JsonNode? parameters)
    {
        var tagged = parameters?.DeepClone() as JsonObject ?? [];
        if (tagged["_meta"] is not JsonObject meta)
            tagged["_meta"] = meta = [];
        meta["io.modelcontextprotocol/subscriptionId"] = JsonSerializer.SerializeToNode(Id, McpJsonUtilities.DefaultOptions);
        return tagged;
    }
}

/// <summary>
/// The open client sessions, for what an upstream says to everyone: log messages, resource updates, list changes.
/// HTTP sessions join when they start and leave when they end; over stdio there is one, for the process.
/// </summary>
public sealed class DownstreamSessions
{
    const string StdioKey = "";
    readonly ConcurrentDictionary<string, DownstreamSession> _sessions = new(StringComparer.Ordinal);

    public IReadOnlyCollection<DownstreamSession> All => [.. _sessions.Values];

    /// <summary>Raised when an HTTP session ends.</summary>
    public event Action<DownstreamSession>? Ended;

    /// <summary>Keeps <paramref name="session"/> until <paramref name="run"/> (the session's life) ends.</summary>
    public async Task RunAsync(DownstreamSession session, Func<Task> run)
    {
        var key = session.Listening?.Key ?? session.Server.SessionId ?? StdioKey;
        _sessions[key] = session;
        try
        {
            await run();
        }
        finally
        {
            _sessions.TryRemove(key, out _);
            Ended?.Invoke(session);
        }
    }

    /// <summary>Keeps <paramref name="session"/> for the life of the process (stdio).</summary>
    public void Keep(DownstreamSession session) => _sessions[session.Server.SessionId ?? StdioKey] = session;

    /// <summary>The session a request came in (its handler sees a server bound to the request).</summary>
    public DownstreamSession? Of(McpServer requestServer) => _sessions.GetValueOrDefault(requestServer.SessionId ?? StdioKey);
}
