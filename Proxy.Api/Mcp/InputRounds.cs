using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpOrch.Core.Upstreams;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Proxy.Api.Mcp;

/// <summary>
/// The 2026-07-28 <c>input_required</c> flow. Such a client has no session a server could send a request on: when an
/// upstream asks for sampling, elicitation or roots during the client's <c>tools/call</c>, <c>prompts/get</c> or
/// <c>resources/read</c>, the client gets an <c>input_required</c> result with the question, and the call waits here,
/// upstream, until the client retries with its answers and the <c>requestState</c> naming the call. Each retry ends
/// in the result, or in the next questions. The state is a random id bound to the caller; a waiting call ends with the
/// server's timeout (<c>execution.task_timeout</c> or its own), and a client that closes a retry's stream cancels it.
/// </summary>
public sealed class InputRounds
{
    readonly ConcurrentDictionary<string, WaitingCall> _waiting = new(StringComparer.Ordinal);

    /// <summary>
    /// Runs <paramref name="call"/> for a request of a client session: with the request's own server as the one it
    /// asks, or, for a 2026-07-28 client, in rounds of <c>input_required</c> results.
    /// </summary>
    public async Task<TResult> RunAsync<TParams, TResult>(RequestContext<TParams> request, Func<IDownstream, CancellationToken, Task<TResult>> call,
        CancellationToken cancellationToken) where TParams : RequestParams
    {
        if (!ProtocolRevisions.IsSessionless(request.Server.NegotiatedProtocolVersion)
            || request.JsonRpcRequest.Method is not (RequestMethods.ToolsCall or RequestMethods.PromptsGet or RequestMethods.ResourcesRead))
            return await call(McpRoutes.Downstream(request), cancellationToken);

        var caller = McpRoutes.CallerOf(request).Id;
        // This round: the request's stream carries the call's progress and log messages, and its capabilities say what
        // the server may ask; closing it cancels the call. Set before the call can run on: an upstream may ask at once.
        var round = McpRoutes.Downstream(request);
        WaitingCall waiting;
        if (request.Params?.RequestState is { } state)
        {
            if (!_waiting.TryGetValue(state, out var found) || found.Caller != caller || found.Method != request.JsonRpcRequest.Method)
                throw new McpProtocolException("The call this requestState names is not waiting for input here: it ended (answered, timed out or " +
                    "cancelled) or waits on another replica. Send the request again without requestState and inputResponses.", McpErrorCode.InvalidParams);
            waiting = found;
            waiting.Round = round;
            waiting.Answer(request.Params.InputResponses);
        }
        else
        {
            waiting = new WaitingCall(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), caller, request.JsonRpcRequest.Method) { Round = round };
            _waiting[waiting.Id] = waiting;
            waiting.Start(call, ended => _waiting.TryRemove(ended.Id, out _));
        }

        try
        {
            while (!waiting.Call.IsCompleted)
            {
                await Task.WhenAny(waiting.Call, waiting.Asked).WaitAsync(cancellationToken);
                if (!waiting.Call.IsCompleted && waiting.Questions() is { Count: > 0 } questions)
                    throw new InputRequiredException(questions, waiting.Id);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Not a registration on the token: this continuation may run inside its cancellation and unregister it.
            waiting.Cancel();
            throw;
        }
        finally
        {
            waiting.Round = null;
        }
        return await (Task<TResult>)waiting.Call;
    }

    /// <summary>A call that may wait for a client's answers between rounds.</summary>
    sealed class WaitingCall(string id, string caller, string method) : IDownstream
    {
        readonly CancellationTokenSource _cancel = new();
        readonly Lock _lock = new();
        readonly Dictionary<string, (InputRequest Request, TaskCompletionSource<JsonNode?> Answer, bool Sent)> _pending = new(StringComparer.Ordinal);
        TaskCompletionSource _asked = new(TaskCreationOptions.RunContinuationsAsynchronously);
        int _next;

        public string Id => id;
        public string Caller => caller;
        public string Method => method;
        public Task Call { get; private set; } = Task.CompletedTask;

        /// <summary>The client request of the round in progress, if one is.</summary>
        public IDownstream? Round
        {
            get;
            set
            {
                field = value;
                Capabilities = value?.Capabilities ?? Capabilities;
            }
        }

        /// <summary>Completes when the call has a question the client has not been asked yet.</summary>
        public Task Asked { get { lock (_lock) return _asked.Task; } }

        /// <summary>What the client declared in its latest request (2026-07-28 clients declare it in each).</summary>
        public ClientCapabilities? Capabilities { get; private set; }
        public LoggingLevel? LogLevel => Round?.LogLevel;

        /// <summary>Starts the call: it runs until it ends, across rounds, then <paramref name="ended"/> hears of it.</summary>
        public void Start<TResult>(Func<IDownstream, CancellationToken, Task<TResult>> call, Action<WaitingCall> ended)
        {
            Call = call(this, _cancel.Token);
            _ = Call.ContinueWith(_ =>
            {
                // A call that ends, however, leaves no question waiting for an answer.
                lock (_lock)
                    foreach (var (_, answer, _) in _pending.Values)
                        answer.TrySetCanceled();
                ended(this);
            }, TaskScheduler.Default);
        }

        public void Cancel() => _cancel.Cancel();

        /// <summary>The server asks the client something: it goes out with the round's <c>input_required</c> result.</summary>
        public async Task<JsonNode?> RequestAsync(string requestMethod, JsonNode? parameters, CancellationToken cancellationToken)
        {
            var request = JsonSerializer.Deserialize<InputRequest>(new JsonObject { ["method"] = requestMethod, ["params"] = parameters?.DeepClone() },
                McpJsonUtilities.DefaultOptions)!;
            var answer = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
            string key;
            lock (_lock)
            {
                key = $"{requestMethod}-{++_next}";
                _pending[key] = (request, answer, false);
                _asked.TrySetResult();
            }
            using var registration = cancellationToken.Register(() => answer.TrySetCanceled(cancellationToken));
            try
            {
                return await answer.Task;
            }
            finally
            {
                lock (_lock)
                    _pending.Remove(key);
            }
        }

        /// <summary>Notifications (progress, log messages) reach the client while a round's stream is open.</summary>
        public Task NotifyAsync(string notificationMethod, JsonNode? parameters, CancellationToken cancellationToken) =>
            Round?.NotifyAsync(notificationMethod, parameters, cancellationToken) ?? Task.CompletedTask;

        /// <summary>The questions not yet asked, now marked asked.</summary>
        public Dictionary<string, InputRequest> Questions()
        {
            lock (_lock)
            {
                var unasked = _pending.Where(p => !p.Value.Sent).ToDictionary(p => p.Key, p => p.Value.Request, StringComparer.Ordinal);
                foreach (var key in unasked.Keys)
                    _pending[key] = _pending[key] with { Sent = true };
                _asked = new(TaskCreationOptions.RunContinuationsAsynchronously);
                return unasked;
            }
        }

        /// <summary>Takes the client's answers; a question it left unanswered is asked again.</summary>
        public void Answer<TAnswer>(IDictionary<string, TAnswer>? answers)
        {
            lock (_lock)
            {
                foreach (var (key, value) in answers ?? new Dictionary<string, TAnswer>())
                    if (_pending.TryGetValue(key, out var pending))
                        pending.Answer.TrySetResult(JsonSerializer.SerializeToNode(value, McpJsonUtilities.DefaultOptions));
                foreach (var key in _pending.Where(p => p.Value.Sent && !p.Value.Answer.Task.IsCompleted).Select(p => p.Key).ToList())
                    _pending[key] = _pending[key] with { Sent = false };
                if (_pending.Values.Any(p => !p.Sent))
                    _asked.TrySetResult();
            }
        }
    }
}
