using System.Collections.Concurrent;
using McpOrch.Core.Upstreams;

namespace Proxy.Api.Mcp;

/// <summary>
/// The connections of servers with <c>"isolation": "session"</c>: one per client session and server, made on the
/// session's first request to the server, closed (its process stopped) when the session ends or after
/// <see cref="IdleTimeout"/> without a request. Requests without a session (REST, 2026-07-28 clients, batch
/// runs) use the shared connection.
/// </summary>
public sealed partial class SessionUpstreams : BackgroundService
{
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(10);

    // Lazy: two first requests at once start one connection, not two.
    readonly ConcurrentDictionary<(string Session, string Server), Lazy<Entry>> _connections = new();
    readonly UpstreamRegistry _upstreams;
    readonly TimeProvider _time;
    readonly ILogger<SessionUpstreams> _logger;

    public SessionUpstreams(UpstreamRegistry upstreams, DownstreamSessions sessions, TimeProvider time, ILogger<SessionUpstreams> logger)
    {
        _upstreams = upstreams;
        _time = time;
        _logger = logger;
        sessions.Ended += session => _ = CloseAsync(c => c.Session == session.Server.SessionId);
    }

    /// <summary>The connection for a request of <paramref name="sessionId"/> to <paramref name="shared"/>'s server.</summary>
    public async Task<UpstreamConnection> ForAsync(string? sessionId, UpstreamConnection shared, CancellationToken cancellationToken)
    {
        if (!shared.Definition.IsolatePerSession || sessionId is null)
            return shared;
        var entry = _connections.GetOrAdd((sessionId, shared.Name), _ => new Lazy<Entry>(() => new Entry(_upstreams.ConnectIsolated(shared.Definition)))).Value;
        entry.LastUse = _time.GetUtcNow();
        await entry.Connection.FirstAttempt.WaitAsync(cancellationToken);
        return entry.Connection;
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
