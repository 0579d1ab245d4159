using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpOrch.Core.Upstreams;

/// <summary>
/// The requests a connection has in flight, and the client sessions they came from. Progress tokens are the
/// gateway's own upstream (<c>orch-progress-N</c>), so two clients or two servers never mix their progress, and are
/// mapped back to the client's token. A server's request to the client (sampling, elicitation, roots) goes to the
/// session whose request it belongs to: a 2026-07-28 server asks within the request (<c>input_required</c>), so that is
/// known; before 2026-07-28 a server's request does not say, so it goes to the one session with requests in flight,
/// and when sessions of several clients have requests in flight on one shared server it is refused, not guessed.
/// What goes to a client request's stream — progress, log messages — goes in the order the server sent it, and before
/// the request's result: it is queued as it arrives (<see cref="ArrivalOrderTransport"/>), and a request ends only once
/// its queue is sent.
/// </summary>
/// <param name="server">The server's name, for messages.</param>
/// <param name="relaying">Whether the gateway has client sessions to relay to (the proxy); batch executors have none.</param>
internal sealed class DownstreamCalls(string server, bool relaying)
{
    const string ProgressTokenKey = "progressToken";

    readonly ConcurrentDictionary<long, IDownstream?> _calls = new();

    // The client session of the request this flow sends. What a server asks within that flow (2026-07-28's
    // input_required questions, which the SDK resolves before the request returns) belongs to that session, however
    // many others have requests in flight.
    static readonly AsyncLocal<IDownstream?> Sending = new();
    readonly ConcurrentDictionary<string, (IDownstream Downstream, ProgressToken Token)> _progress = new(StringComparer.Ordinal);
    readonly ConditionalWeakTable<IDownstream, Outbox> _outboxes = [];

    /// <summary>
    /// Registers a request until the result is disposed, which waits until what was queued for the request's client
    /// has been sent; rewrites its progress token (or drops it when nobody can hear progress).
    /// </summary>
    public IAsyncDisposable Enter(long callId, IDownstream? downstream, RequestParams parameters)
    {
        _calls[callId] = downstream;
        Sending.Value = downstream; // For the rest of the caller's async method: the request's own flow.
        string? token = null;
        if (downstream is not null && parameters.ProgressToken is { } original)
        {
            token = $"orch-progress-{callId}";
            _progress[token] = (downstream, original);
            parameters.Meta![ProgressTokenKey] = token;
        }
        else
            parameters.Meta?.Remove(ProgressTokenKey);
        return new Exit(this, callId, downstream, token);
    }

    /// <summary>The client sessions with requests in flight.</summary>
    public IReadOnlyList<IDownstream> Sessions() => [.. _calls.Values.OfType<IDownstream>().Distinct()];

    /// <summary>
    /// Queues a progress notification, as it arrives, for the client whose request it is about, under the client's
    /// token. The task completes once it is sent.
    /// </summary>
    public Task PassProgress(JsonRpcNotification notification)
    {
        var progress = JsonSerializer.Deserialize<ProgressNotificationParams>(notification.Params, McpJsonUtilities.DefaultOptions);
        if (progress?.ProgressToken.ToString() is not { } token || !_progress.TryGetValue(token, out var target))
            return Task.CompletedTask; // A request that ended, or a token that is not ours.
        progress.ProgressToken = target.Token;
        return Notify(target.Downstream, NotificationMethods.ProgressNotification,
            JsonSerializer.SerializeToNode(progress, McpJsonUtilities.DefaultOptions));
    }

    /// <summary>
    /// Queues a notification for <paramref name="downstream"/>, behind what was queued for it before. The task
    /// completes once it is sent.
    /// </summary>
    public Task Notify(IDownstream downstream, string method, JsonNode? parameters) =>
        _outboxes.GetValue(downstream, _ => new Outbox()).Send(() => downstream.NotifyAsync(method, parameters, CancellationToken.None));

    /// <summary>
    /// Passes the server's request to the client of the request in flight, if that client can take it. A request that
    /// has no client to go to — its call came from a batch run or over REST, or the gateway has no clients at all — gets
    /// <paramref name="clientless"/>'s answer, when there is one. (A proxy's server asking outside any call is refused
    /// instead: an answer then, such as no roots, would stand for the clients that call later.)
    /// </summary>
    public async ValueTask<TResult> RelayAsync<TParams, TResult>(string method, TParams? parameters, Func<ClientCapabilities?, bool> supports,
        Func<TResult>? clientless, CancellationToken cancellationToken)
    {
        var sessions = Sessions();
        if (sessions.Count == 0 && clientless is not null && (!relaying || !_calls.IsEmpty))
            return clientless();
        var downstream = Sending.Value is { } own && sessions.Contains(own) ? own : sessions.Count switch
        {
            1 => sessions[0],
            0 => throw new McpProtocolException($"MCP Orch has no client request in flight on server '{server}' to pass {method} to " +
                "(batch runs and REST calls have no client).", McpErrorCode.InvalidRequest),
            _ => throw new McpProtocolException($"MCP Orch cannot tell which of the {sessions.Count} clients with requests in flight on server " +
                $"'{server}' {method} is for, so it refuses it: give the server \"isolation\": \"session\" in mcp-config.json.",
                McpErrorCode.InvalidRequest),
        };
        if (!supports(downstream.Capabilities))
            throw new McpProtocolException($"The client of this request does not support {method}.", McpErrorCode.MethodNotFound);
        var result = await downstream.RequestAsync(method, JsonSerializer.SerializeToNode(parameters, McpJsonUtilities.DefaultOptions), cancellationToken);
        return JsonSerializer.Deserialize<TResult>(result, McpJsonUtilities.DefaultOptions)
            ?? throw new McpProtocolException($"The client answered {method} without a result.", McpErrorCode.InternalError);
    }

    sealed class Exit(DownstreamCalls calls, long callId, IDownstream? downstream, string? token) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            // The result reaches the client after what the server said about the request before it.
            if (downstream is not null && calls._outboxes.TryGetValue(downstream, out var outbox))
                await outbox.Last.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            calls._calls.TryRemove(callId, out _);
            if (token is not null)
                calls._progress.TryRemove(token, out _);
        }
    }

    /// <summary>What is queued for one client request's stream, sent one after the other.</summary>
    sealed class Outbox
    {
        readonly Lock _lock = new();
        Task _last = Task.CompletedTask;

        /// <summary>The sending of what was queued last: once it is over, so is everything queued before it.</summary>
        public Task Last
        {
            get
            {
                lock (_lock)
                    return _last;
            }
        }

        public Task Send(Func<Task> send)
        {
            lock (_lock)
                return _last = SendAfterAsync(_last, send);
        }

        static async Task SendAfterAsync(Task previous, Func<Task> send)
        {
            // Off the transport's reader, which must not wait for a client; and after what came before, even if that failed.
            await previous.ConfigureAwait(ConfigureAwaitOptions.ForceYielding | ConfigureAwaitOptions.SuppressThrowing);
            await send();
        }
    }
}
