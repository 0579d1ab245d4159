using System.Text.Json.Nodes;
using McpOrch.Core.Configuration;
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
    readonly long _maxResultBytes;
    readonly ILoggerFactory _loggerFactory;
    readonly ILogger _logger;
    readonly SecretRedactor _redactor;
    readonly DownstreamCalls _relay;
    readonly HashSet<string> _subscribedUris = new(StringComparer.Ordinal);
    ListenRequest? _listening;
    readonly bool _relayClientRequests;
    readonly ClientCapabilities? _clientCapabilities;
    readonly CancellationTokenSource _stopping = new();
    readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    Task _supervision = Task.CompletedTask;
    long _nextRequestId;

    const string PreferredRevision = "2025-11-25";
    const string ProtocolMetaPrefix = "io.modelcontextprotocol/";
    bool _preferredRefused;
    volatile McpClient? _client;

    /// <param name="definition">The server as configured.</param>
    /// <param name="defaultTimeout">The per-call limit when the server sets none (<c>execution.task_timeout</c>).</param>
    /// <param name="maxResultBytes">The largest answer taken from the server (<c>security.max_result_bytes</c>).</param>
    /// <param name="policy">Start-up timeout and backoff.</param>
    /// <param name="loggerFactory">For the connection's log and the server's stderr: one that redacts (<see cref="ServerSecrets"/>).</param>
    /// <param name="relayClientRequests">
    /// Pass the server's sampling, elicitation and roots requests to the client session of the request in flight (the
    /// proxy); without it (batch executors, which have no clients) the gateway answers them itself.
    /// </param>
    /// <param name="clientCapabilities">
    /// For a connection of one client session's own: what that client declared, which is all the server is told it can
    /// do. A shared connection (null) is offered all three, since a server learns its client's capabilities once.
    /// </param>
    /// <param name="standardError">Where a stdio server's stderr is kept, with its process's starts marked (the shared connection's).</param>
    public UpstreamConnection(McpServerDefinition definition, TimeSpan defaultTimeout, long maxResultBytes, SupervisionPolicy policy,
        ILoggerFactory loggerFactory, bool relayClientRequests = false, ClientCapabilities? clientCapabilities = null,
        StandardErrorLog? standardError = null)
    {
        StandardError = standardError;
        _relay = new DownstreamCalls(definition.Name, relayClientRequests);
        _relayClientRequests = relayClientRequests;
        _clientCapabilities = clientCapabilities;
        Definition = definition;
        _defaultTimeout = defaultTimeout;
        _maxResultBytes = maxResultBytes;
        _policy = policy;
        _redactor = SecretRedactor.For(definition);
        _loggerFactory = loggerFactory;
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

    /// <summary>The last lines the server wrote to stderr, for a stdio server's shared connection; null otherwise.</summary>
    public StandardErrorLog? StandardError { get; }

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
    /// the resource and prompt lists' <c>list_changed</c> (tool list changes and progress are handled here). Log
    /// messages are raised as they arrive, in order, on the connection's reader: a handler must not block, and passes a
    /// message for a caller on with <see cref="NotifyCallerAsync"/> before it returns, so it stays ahead of the call's result.
    /// </summary>
    public event Action<UpstreamConnection, JsonRpcNotification>? Notified;

    /// <summary>
    /// Sends a notification to <paramref name="caller"/>, one of the <see cref="Callers"/>, on its request's stream:
    /// queued now behind what the server said to it before, and sent before its request's result.
    /// </summary>
    public Task NotifyCallerAsync(IDownstream caller, string method, JsonNode? parameters) => _relay.Notify(caller, method, parameters);

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
        if (Definition.Transport == McpTransportKind.Stdio && !CommandExists(Definition.Command!))
            throw new FileNotFoundException($"command '{Definition.Command}' not found: install it or fix \"command\" in the configuration");
        if (Definition.Transport == McpTransportKind.Stdio)
            StandardError?.ProcessStarting(after: LastError);
        var transport = new ArrivalOrderTransport(UpstreamTransports.Create(Definition, _logger, StandardError, _loggerFactory, _maxResultBytes), OnArrived);
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
                    // Progress and log messages are taken as they arrive (OnArrived), not here.
                    new(NotificationMethods.ToolListChangedNotification, OnToolListChangedAsync),
                    new(NotificationMethods.ResourceUpdatedNotification, Notify),
                    new(NotificationMethods.ResourceListChangedNotification, Notify),
                    new(NotificationMethods.PromptListChangedNotification, Notify),
                ],
                // With no client to ask (a batch run, a REST call) the gateway answers what it honestly can: no roots,
                // and a declined elicitation; sampling needs a client's model.
                SamplingHandler = !Offers(c => c.Sampling) ? null : (request, _, ct) =>
                    _relay.RelayAsync<CreateMessageRequestParams, CreateMessageResult>(RequestMethods.SamplingCreateMessage, request, c => c?.Sampling is not null,
                        clientless: null, ct),
                ElicitationHandler = !Offers(c => c.Elicitation) ? null : (request, ct) =>
                    _relay.RelayAsync<ElicitRequestParams, ElicitResult>(RequestMethods.ElicitationCreate, request, c => c?.Elicitation is not null,
                        () => new ElicitResult { Action = "decline" }, ct),
                RootsHandler = !Offers(c => c.Roots) ? null : (request, ct) =>
                    _relay.RelayAsync<ListRootsRequestParams, ListRootsResult>(RequestMethods.RootsList, request, c => c?.Roots is not null,
                        () => new ListRootsResult { Roots = [] }, ct),
            },
            Capabilities = _clientCapabilities is not { } own ? null
                : new ClientCapabilities { Sampling = own.Sampling, Elicitation = own.Elicitation, Roots = own.Roots },
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

    /// <summary>
    /// Whether the server is offered the client capability <paramref name="capability"/> picks: a shared connection
    /// offers all three (servers such as server-everything list some tools only to clients that can answer them, and
    /// the proxy's clients and batch runs must see the same tools); a session's own, what its client declared.
    /// </summary>
    bool Offers(Func<ClientCapabilities, object?> capability) => _clientCapabilities is null || capability(_clientCapabilities) is not null;

    void SetState(UpstreamState state)
    {
        State = state;
        Changed?.Invoke(this);
    }

    string DescribeStartFailure(Exception e) => e switch
    {
        TimeoutException => $"did not answer: {e.Message}",
        ClientTransportClosedException { Details: StdioClientCompletionDetails stdio } => DescribeEnd(stdio),
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
        command.Contains(Path.DirectorySeparatorChar)
            ? File.Exists(Path.GetFullPath(command))
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

    [LoggerMessage(LogLevel.Debug, "MCP server '{Server}': {Method} could not be passed on: {Error}")]
    partial void LogNotPassedOn(string server, string method, string error);

    [LoggerMessage(LogLevel.Warning, "MCP server '{Server}': the tool list could not be refreshed: {Error}")]
    partial void LogToolRefreshFailed(string server, string error);
}
