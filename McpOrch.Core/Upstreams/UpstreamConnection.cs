using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpOrch.Core.Configuration;
using McpOrch.Core.Telemetry;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpOrch.Core.Upstreams;

/// <summary>
/// One supervised connection to a configured MCP server. It connects in the background, lists the
/// server's tools, and reconnects with exponential backoff when the server crashes or the connection
/// drops; calls made while it is away fail at once with an error that names the server.
/// </summary>
public sealed partial class UpstreamConnection : IAsyncDisposable
{
    readonly SupervisionPolicy _policy;
    readonly TimeSpan _defaultTimeout;
    readonly ILoggerFactory _loggerFactory;
    readonly ILogger _logger;
    readonly SecretRedactor _redactor;
    readonly DownstreamCalls _relay;
    readonly HashSet<string> _subscribedUris = new(StringComparer.Ordinal);
    ListenRequest? _listening;
    readonly bool _relayClientRequests;
    readonly CancellationTokenSource _stopping = new();
    readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    Task _supervision = Task.CompletedTask;
    long _nextRequestId;

    const string SubscriptionsRevision = "2026-07-28";
    const string PreferredRevision = "2025-11-25";
    const string ProtocolMetaPrefix = "io.modelcontextprotocol/";
    bool _preferredRefused;
    volatile McpClient? _client;

    /// <param name="definition">The server as configured.</param>
    /// <param name="defaultTimeout">The per-call limit when the server sets none (<c>execution.task_timeout</c>).</param>
    /// <param name="policy">Start-up timeout and backoff.</param>
    /// <param name="loggerFactory">For the connection's log and the server's stderr.</param>
    /// <param name="relayClientRequests">
    /// Offer the server sampling, elicitation and roots, and pass its requests for them to the client session of the
    /// request in flight (the proxy); without it the server is told the client can do none of them (batch executors).
    /// </param>
    public UpstreamConnection(McpServerDefinition definition, TimeSpan defaultTimeout, SupervisionPolicy policy, ILoggerFactory loggerFactory,
        bool relayClientRequests = false)
    {
        _relay = new DownstreamCalls(definition.Name);
        _relayClientRequests = relayClientRequests;
        Definition = definition;
        _defaultTimeout = defaultTimeout;
        _policy = policy;
        _redactor = SecretRedactor.For(definition);
        _loggerFactory = _redactor.Wrap(loggerFactory);
        _logger = _loggerFactory.CreateLogger<UpstreamConnection>();
        State = definition.Disabled ? UpstreamState.Disabled : UpstreamState.Starting;
    }

    /// <summary>Raised when the state or the tool list changes.</summary>
    public event Action<UpstreamConnection>? Changed;

    /// <summary>The server as configured.</summary>
    public McpServerDefinition Definition { get; }

    /// <summary>The configured name, which prefixes the server's tools.</summary>
    public string Name => Definition.Name;

    /// <summary>Where the connection is.</summary>
    public UpstreamState State { get; private set; }

    /// <summary>The protocol revision the server speaks, found on the first connection and kept for the next ones.</summary>
    public string? ProtocolVersion { get; private set; }

    /// <summary>The server's tools while it is healthy; empty otherwise.</summary>
    public IReadOnlyList<Tool> Tools { get; private set; } = [];

    /// <summary>When the current connection was made.</summary>
    public DateTimeOffset? ConnectedSince { get; private set; }

    /// <summary>How many times the connection was started again after a failure.</summary>
    public int Restarts { get; private set; }

    /// <summary>What went wrong last, for people: never a secret (see <see cref="SecretRedactor"/>).</summary>
    public string? LastError
    {
        get;
        private set => field = value is null ? null : _redactor.Redact(value);
    }

    /// <summary>The client sessions with requests in flight on this server.</summary>
    public IReadOnlyList<IDownstream> Callers => _relay.Sessions();

    /// <summary>What the server said it can do, while connected.</summary>
    public ServerCapabilities? Capabilities => _client?.ServerCapabilities;

    /// <summary>
    /// Raised for the server's notifications that concern every client: log messages, <c>resources/updated</c>, and
    /// the resource and prompt lists' <c>list_changed</c> (tool list changes and progress are handled here).
    /// </summary>
    public event Action<UpstreamConnection, JsonRpcNotification>? Notified;

    /// <summary>Completes when the first connection attempt has succeeded or failed.</summary>
    public Task FirstAttempt => _firstAttempt.Task;

    /// <summary>Starts connecting in the background.</summary>
    public void Start()
    {
        if (Definition.Disabled)
            _firstAttempt.TrySetResult();
        else
            _supervision = Task.Run(SuperviseAsync);
    }

    /// <summary>
    /// Calls <paramref name="tool"/> with the server's timeout. A timeout, or a caller that gives up, cancels the
    /// call upstream with <c>notifications/cancelled</c>; a dropped connection fails the call at once.
    /// </summary>
    /// <param name="tool">The tool's name on this server.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="downstream">
    /// The client session the call comes from, if any: the server's progress notifications for the call, and its
    /// sampling, elicitation and roots requests while the call runs, go there.
    /// </param>
    /// <param name="meta">The client request's <c>_meta</c>, passed on (its progress token becomes one of the gateway's own).</param>
    /// <param name="cancellationToken">Cancels the call, upstream too.</param>
    /// <exception cref="ToolCallException">No result: the server is unavailable, timed out or rejected the call.</exception>
    public async Task<CallToolResult> CallToolAsync(string tool, IDictionary<string, JsonElement>? arguments,
        CancellationToken cancellationToken, IDownstream? downstream = null, JsonObject? meta = null)
    {
        using var activity = OrchTelemetry.Source.StartActivity($"tools/call {Name}.{tool}", ActivityKind.Client);
        activity?.SetTag("mcp.method.name", RequestMethods.ToolsCall);
        activity?.SetTag("mcp.server", Name);
        activity?.SetTag("mcp.tool", tool);
        var started = Stopwatch.GetTimestamp();
        var outcome = "cancelled";
        try
        {
            var parameters = new CallToolRequestParams { Name = tool, Arguments = arguments, Meta = (JsonObject?)meta?.DeepClone() };
            var result = await SendAsync<CallToolRequestParams, CallToolResult>(RequestMethods.ToolsCall, parameters, tool, $"the call to '{tool}'",
                downstream, cancellationToken);
            outcome = result.IsError == true ? "tool_error" : "ok";
            return result;
        }
        catch (ToolCallException e)
        {
            outcome = e.Failure.ToString().ToLowerInvariant();
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
        finally
        {
            OrchTelemetry.ToolCall(Name, tool, outcome, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>
    /// Sends one request (<c>resources/read</c>, <c>prompts/get</c>, …) to the server as it came: its parameters,
    /// <c>_meta</c> included, pass as they are, and so does the result. Same timeout and cancellation as a tool call.
    /// </summary>
    /// <exception cref="ToolCallException">No result: the server is unavailable, timed out or rejected the request.</exception>
    public Task<TResult> SendAsync<TParams, TResult>(string method, TParams parameters, CancellationToken cancellationToken,
        IDownstream? downstream = null) where TParams : RequestParams where TResult : Result =>
        SendAsync<TParams, TResult>(method, parameters, method, method, downstream, cancellationToken);

    // subject: the tool, or the method (ToolCallException.Tool); what: the request in words, for messages.
    async Task<TResult> SendAsync<TParams, TResult>(string method, TParams parameters, string subject, string what, IDownstream? downstream,
        CancellationToken cancellationToken) where TParams : RequestParams where TResult : Result
    {
        var callId = Interlocked.Increment(ref _nextRequestId);
        // The client's protocol metadata (2026-07-28: its revision, capabilities, log level) describes its hop, not
        // this one: a 2025 server would take the request for one outside its session.
        foreach (var key in parameters.Meta?.Select(p => p.Key).Where(k => k.StartsWith(ProtocolMetaPrefix, StringComparison.Ordinal)).ToList() ?? [])
            parameters.Meta!.Remove(key);
        if (SpeaksListen && downstream?.LogLevel is { } level)
        {
            // 2026-07-28 has no logging/setLevel: the level the client set travels with each of its requests.
            parameters.Meta ??= [];
            parameters.Meta.TryAdd(MetaKeys.LogLevel, JsonSerializer.SerializeToNode(level, McpJsonUtilities.DefaultOptions));
        }
        using var relay = _relay.Enter(callId, downstream, parameters);
        try
        {
            var result = await SendUpstreamAsync(method, JsonSerializer.SerializeToNode(parameters, McpJsonUtilities.DefaultOptions), callId, subject, what,
                cancellationToken);
            return JsonSerializer.Deserialize<TResult>(result, McpJsonUtilities.DefaultOptions)
                ?? throw new ToolCallException(Name, subject, ToolCallFailure.Rejected, $"MCP server '{Name}' answered {method} without a result.");
        }
        catch (ToolCallException e)
        {
            // A server's error may quote its request, credentials and all.
            throw new ToolCallException(e.Server, e.Tool, e.Failure, _redactor.Redact(e.Message), e.ErrorCode, e.InnerException);
        }
    }

    async Task<JsonNode?> SendUpstreamAsync(string method, JsonNode? parameters, long callId, string subject, string what,
        CancellationToken cancellationToken)
    {
        var client = _client ?? throw new ToolCallException(Name, subject, ToolCallFailure.Unavailable,
            $"MCP server '{Name}' is not available ({Describe(State)}{(LastError is null ? "" : $": {LastError}")}).");
        var timeout = Definition.Timeout ?? _defaultTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);

        // Sent as a raw request so that its id is ours: the SDK client does not tell the server when a call is
        // abandoned, so on a timeout or a cancelled caller this sends notifications/cancelled itself.
        var id = new RequestId($"orch-{callId}");
        var call = client.SendRequestAsync(new JsonRpcRequest { Id = id, Method = method, Params = parameters }, deadline.Token);
        if (await Task.WhenAny(call, client.Completion) != call)
        {
            _ = call.ContinueWith(t => t.Exception, TaskScheduler.Default);
            var details = await client.Completion;
            throw new ToolCallException(Name, subject, ToolCallFailure.Unavailable,
                $"MCP server '{Name}' disconnected during {what} ({DescribeEnd(details)}).");
        }
        try
        {
            return (await call).Result;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            await CancelUpstreamAsync(client, id, cancellationToken.IsCancellationRequested ? "the caller cancelled" : "timeout");
            if (cancellationToken.IsCancellationRequested)
                throw;
            throw new ToolCallException(Name, subject, ToolCallFailure.Timeout,
                $"{Capitalized(what)} on MCP server '{Name}' timed out after {timeout.TotalSeconds:0.###} s and was cancelled.");
        }
        catch (McpProtocolException e)
        {
            throw new ToolCallException(Name, subject, ToolCallFailure.Rejected,
                $"MCP server '{Name}' rejected {what}: {e.Message}", e.ErrorCode, e);
        }
        catch (Exception e) when (e is not ToolCallException)
        {
            // The session ending cancels or fails its pending calls, often a moment before it reports why: say why.
            var ended = await client.Completion.WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None)
                .ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null, TaskScheduler.Default);
            throw new ToolCallException(Name, subject, ToolCallFailure.Unavailable, ended is null
                ? $"{Capitalized(what)} on MCP server '{Name}' failed: {e.Message}"
                : $"MCP server '{Name}' disconnected during {what} ({DescribeEnd(ended)}).", inner: e);
        }
    }

    static string Capitalized(string what) => char.ToUpperInvariant(what[0]) + what[1..];

    async Task CancelUpstreamAsync(McpClient client, RequestId id, string reason)
    {
        try
        {
            await client.SendNotificationAsync(NotificationMethods.CancelledNotification,
                new CancelledNotificationParams { RequestId = id, Reason = reason }, McpJsonUtilities.DefaultOptions);
        }
        catch (Exception e)
        {
            // The connection may be gone already; then there is nothing left to cancel.
            LogCancelFailed(Name, e.Message);
        }
    }

    async Task SuperviseAsync()
    {
        var failures = 0;
        while (!_stopping.IsCancellationRequested)
        {
            McpClient? client = null;
            try
            {
                client = await ConnectAsync();
                failures = 0;
                var details = await client.Completion.WaitAsync(_stopping.Token);
                LastError = $"connection lost ({DescribeEnd(details)})";
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LastError = DescribeStartFailure(e);
            }
            finally
            {
                _client = null;
                Tools = [];
                ConnectedSince = null;
                if (client is not null)
                    await client.DisposeAsync();
            }
            if (_stopping.IsCancellationRequested)
                break;

            failures++;
            Restarts++;
            SetState(failures >= _policy.FailuresBeforeDown ? UpstreamState.Down : UpstreamState.Restarting);
            _firstAttempt.TrySetResult();
            var delay = _policy.Backoff(failures);
            LogRestarting(Name, LastError!, delay.TotalSeconds);
            try
            {
                await Task.Delay(delay, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        SetState(UpstreamState.Stopped);
        _firstAttempt.TrySetResult();
    }

    async Task<McpClient> ConnectAsync()
    {
        using var startup = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        startup.CancelAfter(_policy.StartupTimeout);
        var transport = UpstreamTransports.Create(Definition, _logger, _loggerFactory);
        var options = new McpClientOptions
        {
            ClientInfo = new Implementation { Name = "mcp-orch", Version = "1.0.0" },
            // Found on the first connection: later ones go straight to the revision the server speaks. Until then,
            // 2025-11-25 first: the proxy's clients mostly speak it, and what 2026-07-28 drops (logging/setLevel,
            // resources/subscribe, sampling and elicitation requests) a server that speaks both then still offers.
            // A server that refuses it is asked again in its own revision on the next attempt.
            ProtocolVersion = ProtocolVersion ?? (_preferredRefused ? null : PreferredRevision),
            Handlers = new McpClientHandlers
            {
                NotificationHandlers =
                [
                    new(NotificationMethods.ToolListChangedNotification, OnToolListChangedAsync),
                    new(NotificationMethods.ProgressNotification, _relay.OnProgressAsync),
                    new(NotificationMethods.LoggingMessageNotification, Notify),
                    new(NotificationMethods.ResourceUpdatedNotification, Notify),
                    new(NotificationMethods.ResourceListChangedNotification, Notify),
                    new(NotificationMethods.PromptListChangedNotification, Notify),
                ],
                SamplingHandler = !_relayClientRequests ? null : (request, _, ct) =>
                    _relay.RelayAsync<CreateMessageRequestParams, CreateMessageResult>(RequestMethods.SamplingCreateMessage, request, c => c?.Sampling is not null, ct),
                ElicitationHandler = !_relayClientRequests ? null : (request, ct) =>
                    _relay.RelayAsync<ElicitRequestParams, ElicitResult>(RequestMethods.ElicitationCreate, request, c => c?.Elicitation is not null, ct),
                RootsHandler = !_relayClientRequests ? null : (request, ct) =>
                    _relay.RelayAsync<ListRootsRequestParams, ListRootsResult>(RequestMethods.RootsList, request, c => c?.Roots is not null, ct),
            },
        };
        McpClient? client = null;
        try
        {
            client = await McpClient.CreateAsync(transport, options, _loggerFactory, startup.Token);
            var tools = await client.ListToolsAsync(cancellationToken: startup.Token);
            ProtocolVersion = client.NegotiatedProtocolVersion;
            Tools = [.. tools.Select(t => t.ProtocolTool)];
            ConnectedSince = DateTimeOffset.UtcNow;
            _client = client;
            Listen(client);
            LogConnected(Name, ProtocolVersion ?? "unknown", Tools.Count);
            SetState(UpstreamState.Healthy);
            _firstAttempt.TrySetResult();
            return client;
        }
        catch (OperationCanceledException) when (startup.IsCancellationRequested && !_stopping.IsCancellationRequested)
        {
            if (client is not null)
                await client.DisposeAsync();
            throw new TimeoutException($"no answer within {_policy.StartupTimeout.TotalSeconds:0.###} s");
        }
        catch (Exception e)
        {
            if (client is not null)
                await client.DisposeAsync();
            if (e is McpProtocolException && ProtocolVersion is null)
                _preferredRefused = true;
            throw;
        }
    }

    /// <summary>Whether the server speaks 2026-07-28 or later: no <c>logging/setLevel</c> or <c>resources/subscribe</c>, but <c>subscriptions/listen</c>.</summary>
    public bool SpeaksListen => string.CompareOrdinal(ProtocolVersion, SubscriptionsRevision) >= 0; // Revisions are dates: they compare as text.

    /// <summary>
    /// Subscribes to updates of <paramref name="uri"/>: <c>resources/subscribe</c>, or from 2026-07-28 on, the
    /// connection's <c>subscriptions/listen</c> stream opened again with the URI among its subscriptions.
    /// </summary>
    public async Task SubscribeAsync(string uri, bool subscribe, CancellationToken cancellationToken)
    {
        if (!SpeaksListen)
        {
            if (subscribe)
                await SendAsync<SubscribeRequestParams, EmptyResult>(RequestMethods.ResourcesSubscribe, new SubscribeRequestParams { Uri = uri }, cancellationToken);
            else
                await SendAsync<UnsubscribeRequestParams, EmptyResult>(RequestMethods.ResourcesUnsubscribe, new UnsubscribeRequestParams { Uri = uri }, cancellationToken);
            return;
        }
        lock (_subscribedUris)
            if (!(subscribe ? _subscribedUris.Add(uri) : _subscribedUris.Remove(uri)))
                return;
        if (_client is { } client)
            Listen(client);
    }

    /// <summary>
    /// From 2026-07-28 on, a server sends list_changed and resource updates only on a <c>subscriptions/listen</c>
    /// stream the client opened (before, it sent them unasked); the SDK client opens none, so this does, for the
    /// connection's life, and opens it again (closing the old one) when the resource subscriptions change.
    /// </summary>
    void Listen(McpClient client)
    {
        if (!SpeaksListen)
            return;
        var capabilities = client.ServerCapabilities;
        List<string> uris;
        lock (_subscribedUris)
            uris = [.. _subscribedUris];
        var notifications = new SubscriptionsListenNotifications
        {
            ToolsListChanged = capabilities.Tools?.ListChanged == true ? true : null,
            PromptsListChanged = capabilities.Prompts?.ListChanged == true ? true : null,
            ResourcesListChanged = capabilities.Resources?.ListChanged == true ? true : null,
            ResourceSubscriptions = uris.Count > 0 ? uris : null,
        };
        var id = new RequestId($"orch-listen-{Interlocked.Increment(ref _nextRequestId)}");
        var listening = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        if (Interlocked.Exchange(ref _listening, new ListenRequest(listening, id)) is { } previous)
        {
            // The server would go on sending on the old stream: it is told the request is over.
            previous.Cancellation.Cancel();
            _ = CancelUpstreamAsync(client, previous.Id, "replaced by a new subscriptions/listen");
        }
        if (notifications is { ToolsListChanged: null, PromptsListChanged: null, ResourcesListChanged: null, ResourceSubscriptions: null })
            return;
        var request = new JsonRpcRequest
        {
            Id = id,
            Method = RequestMethods.SubscriptionsListen,
            Params = JsonSerializer.SerializeToNode(new SubscriptionsListenRequestParams { Notifications = notifications }, McpJsonUtilities.DefaultOptions),
        };
        _ = client.SendRequestAsync(request, listening.Token).ContinueWith(t => t.Exception, TaskScheduler.Default);
    }

    ValueTask Notify(JsonRpcNotification notification, CancellationToken cancellationToken)
    {
        Notified?.Invoke(this, notification);
        return ValueTask.CompletedTask;
    }

    ValueTask OnToolListChangedAsync(JsonRpcNotification notification, CancellationToken cancellationToken)
    {
        // Listed outside the handler: the answer arrives through the same message loop that is calling it.
        if (_client is { } client)
            _ = RefreshToolsAsync(client);
        return ValueTask.CompletedTask;
    }

    async Task RefreshToolsAsync(McpClient client)
    {
        try
        {
            var tools = await client.ListToolsAsync(cancellationToken: _stopping.Token);
            if (_client != client)
                return;
            Tools = [.. tools.Select(t => t.ProtocolTool)];
            Changed?.Invoke(this);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogToolRefreshFailed(Name, e.Message);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    void SetState(UpstreamState state)
    {
        State = state;
        Changed?.Invoke(this);
    }

    string DescribeStartFailure(Exception e) => e switch
    {
        TimeoutException => $"did not answer: {e.Message}",
        ClientTransportClosedException { Details: StdioClientCompletionDetails stdio } => DescribeEnd(stdio),
        _ when Definition.Transport == McpTransportKind.Stdio && !CommandExists(Definition.Command!) =>
            $"command '{Definition.Command}' not found: install it or fix \"command\" in the configuration",
        _ => e.Message,
    };

    static string DescribeEnd(ClientCompletionDetails details) => details switch
    {
        StdioClientCompletionDetails { ExitCode: { } code } stdio =>
            $"the process exited with code {code}{(string.IsNullOrWhiteSpace(stdio.StandardErrorTail?.LastOrDefault()) ? "" : $"; its last output: {stdio.StandardErrorTail!.Last()}")}",
        _ => details.Exception?.Message ?? "closed",
    };

    static string Describe(UpstreamState state) => state.ToString().ToLowerInvariant();

    static bool CommandExists(string command) =>
        Path.IsPathRooted(command)
            ? File.Exists(command)
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(folder => File.Exists(Path.Combine(folder, command)));

    /// <summary>Stops the connection and the server process it started.</summary>
    public async ValueTask DisposeAsync()
    {
        // Safe to call more than once: the host stops the registry, then disposes it.
        await _stopping.CancelAsync();
        await _supervision;
    }

    [LoggerMessage(LogLevel.Information, "MCP server '{Server}' connected (protocol {ProtocolVersion}, {ToolCount} tools)")]
    partial void LogConnected(string server, string protocolVersion, int toolCount);

    [LoggerMessage(LogLevel.Warning, "MCP server '{Server}' failed: {Error}; next attempt in {DelaySeconds:0.#} s")]
    partial void LogRestarting(string server, string error, double delaySeconds);

    [LoggerMessage(LogLevel.Debug, "MCP server '{Server}': notifications/cancelled could not be sent: {Error}")]
    partial void LogCancelFailed(string server, string error);

    [LoggerMessage(LogLevel.Warning, "MCP server '{Server}': the tool list could not be refreshed: {Error}")]
    partial void LogToolRefreshFailed(string server, string error);
}

/// <summary>The connection's open <c>subscriptions/listen</c> request.</summary>
internal sealed record ListenRequest(CancellationTokenSource Cancellation, RequestId Id);
