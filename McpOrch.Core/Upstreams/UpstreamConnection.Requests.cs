using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpOrch.Core.Telemetry;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpOrch.Core.Upstreams;

// Requests to the server on a client's behalf: tool calls and every other forwarded request, with the server's timeout,
// cancellation upstream, and the client session that hears progress and the server's own requests.
public sealed partial class UpstreamConnection
{
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
        // Leaving waits until what the server said to the client about this request has been sent: the result comes after.
        await using var relay = _relay.Enter(callId, downstream, parameters);
        try
        {
            var result = await SendUpstreamAsync(method, JsonSerializer.SerializeToNode(parameters, McpJsonUtilities.DefaultOptions), callId, subject, what,
                cancellationToken);
            // Measured as it came, before the gateway makes copies of its own (typed, then serialized for the client).
            if (JsonSize(result) > _maxResultBytes)
                throw TooLarge(subject, what);
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
        catch (AnswerSizeLimit.TooLargeException)
        {
            throw TooLarge(subject, what);
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

    ToolCallException TooLarge(string subject, string what) => new(Name, subject, ToolCallFailure.TooLarge,
        $"MCP server '{Name}' answered {what} with more than security.max_result_bytes ({_maxResultBytes}): ask for less " +
        "(a narrower query, a page), or raise the limit.");

    /// <summary>
    /// The size of <paramref name="node"/> as JSON, as the server sent it, counted without writing it out: values parsed
    /// from the wire are measured in place.
    /// </summary>
    static long JsonSize(JsonNode? node) => node switch
    {
        null => 4,
        JsonObject item => 1 + item.Sum(p => Encoding.UTF8.GetByteCount(p.Key) + 4 + JsonSize(p.Value)),
        JsonArray items => 1 + items.Sum(v => 1 + JsonSize(v)),
        JsonValue value when value.TryGetValue<JsonElement>(out var element) => JsonMarshal.GetRawUtf8Value(element).Length,
        _ => Encoding.UTF8.GetByteCount(node.ToJsonString()),
    };

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
}
