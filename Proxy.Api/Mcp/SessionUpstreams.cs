using System.Collections.Concurrent;
using McpOrch.Core.Catalog;
using McpOrch.Core.Configuration;
using McpOrch.Core.Upstreams;
using ModelContextProtocol.Protocol;

namespace Proxy.Api.Mcp;

/// <summary>
/// The connections of servers with <c>"isolation": "session"</c>: one per client session and server, made on the
/// session's first request to the server, closed (its process stopped) when the session ends or after
/// <see cref="IdleTimeout"/> without a request. When its tools change, its session alone hears of it. Requests
/// without a session (REST, 2026-07-28 clients, batch runs) use the shared connection.
/// </summary>
public sealed partial class SessionUpstreams : BackgroundService
{
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(10);

    // Lazy: two first requests at once start one connection, not two.
    readonly ConcurrentDictionary<(string Session, string Server), Lazy<Entry>> _connections = new();
    readonly UpstreamRegistry _upstreams;
    readonly DownstreamSessions _sessions;
    readonly TimeProvider _time;
    readonly ILogger<SessionUpstreams> _logger;

    public SessionUpstreams(UpstreamRegistry upstreams, DownstreamSessions sessions, TimeProvider time, ILogger<SessionUpstreams> logger)
    {
        _upstreams = upstreams;
        _sessions = sessions;
        _time = time;
        _logger = logger;
        sessions.Ended += session => _ = CloseAsync(c => c.Session == session.Server.SessionId);
    }

    /// <summary>
    /// The connection for a request of <paramref name="sessionId"/> to <paramref name="shared"/>'s server. A connection
    /// of the session's own tells the server what the session's client declared (<paramref name="clientCapabilities"/>).
    /// </summary>
    public async Task<UpstreamConnection> ForAsync(string? sessionId, UpstreamConnection shared, ClientCapabilities? clientCapabilities,
        CancellationToken cancellationToken)
    {
        if (!shared.Definition.IsolatePerSession || sessionId is null)
            return shared;
        var entry = _connections.GetOrAdd((sessionId, shared.Name),
            _ => new Lazy<Entry>(() => Connect(sessionId, shared.Definition, clientCapabilities))).Value;
        entry.LastUse = _time.GetUtcNow();
        await entry.Connection.FirstAttempt.WaitAsync(cancellationToken);
        return entry.Connection;
    }

    Entry Connect(string sessionId, McpServerDefinition server, ClientCapabilities? clientCapabilities)
    {
        var connection = _upstreams.ConnectIsolated(server, clientCapabilities);
        IReadOnlyList<Tool> listed = connection.Tools;
        // Its tools are the session's alone: when they change, the session (and no other) is told.
        connection.Changed += changed =>
        {
            if (ReferenceEquals(Interlocked.Exchange(ref listed, changed.Tools), changed.Tools))
                return;
            if (_sessions.All.FirstOrDefault(s => s.Server.SessionId == sessionId) is { } session)
                _ = session.NotifyAsync(NotificationMethods.ToolListChangedNotification, null, CancellationToken.None);
        };
        return new Entry(connection);
    }

    /// <summary>
    /// The servers <paramref name="sessionId"/> has connections of its own to, and their tools as the merged <c>/mcp</c>
    /// names them: for these servers they replace the shared catalog's (a tool may exist in this session's process alone).
    /// </summary>
    public (IReadOnlySet<string> Servers, ToolCatalog Tools) OwnTools(string? sessionId, string separator)
    {
        var own = _connections.Where(c => c.Key.Session == sessionId && c.Value.IsValueCreated).Select(c => c.Value.Value.Connection).ToList();
        return own.Count == 0
            ? (new HashSet<string>(), ToolCatalog.Empty)
            : (own.Select(c => c.Name).ToHashSet(StringComparer.Ordinal), ToolCatalog.Build(0, own.Select(c => (c.Name, c.Tools)), separator));
    }

    /// <summary>The session a connection of its own belongs to; null for a shared connection.</summary>
    public string? SessionOf(UpstreamConnection connection) =>
        _connections.FirstOrDefault(c => c.Value.IsValueCreated && c.Value.Value.Connection == connection).Key.Session;

    /// <summary>How many session connections are open.</summary>
    public int Count => _connections.Count;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), _time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var idleSince = _time.GetUtcNow() - IdleTimeout;
            await CloseAsync(key => _connections.TryGetValue(key, out var entry) && entry.IsValueCreated && entry.Value.LastUse < idleSince);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await CloseAsync(_ => true);
    }

    async Task CloseAsync(Func<(string Session, string Server), bool> which)
    {
        foreach (var key in _connections.Keys.Where(which).ToList())
            if (_connections.TryRemove(key, out var entry) && entry.IsValueCreated)
            {
                LogClosed(_logger, key.Server, key.Session);
                await entry.Value.Connection.DisposeAsync();
            }
    }

    sealed class Entry(UpstreamConnection connection)
    {
        public UpstreamConnection Connection { get; } = connection;
        public DateTimeOffset LastUse { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "MCP server '{Server}': the connection of session {Session} is closed.")]
    static partial void LogClosed(ILogger logger, string server, string session);
}
