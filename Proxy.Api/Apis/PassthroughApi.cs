using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using McpOrch.Core.Security;
using ModelContextProtocol.Protocol;
using System.Net;
using McpOrch.Core.Configuration;
using McpOrch.Core.Upstreams;
using Microsoft.AspNetCore.Diagnostics;
using Proxy.Api.Security;
using Yarp.ReverseProxy.Forwarder;

namespace Proxy.Api.Apis;

/// <summary>
/// <c>/servers/{name}/mcp</c>: a remote (Streamable HTTP or SSE) server reached byte for byte through YARP — streams,
/// session headers and resumption as the server made them. The request goes to the server's configured URL, with the
/// configured headers added and the client's credentials (<c>Authorization</c>, <c>X-API-Key</c>, cookies) removed.
/// The old SSE transport's <c>endpoint</c> event names the server's message path: it is rewritten to
/// <c>/servers/{name}/mcp/{path}</c>, and that path (no other on the server's host: the credentials are for the
/// server) is forwarded too. The server is looked up per request, so routes follow configuration reloads. A request's
/// <c>tools/call</c>s are read (not changed) for the audit log; answers are not read, so a key with a tool allow-list
/// cannot use the passthrough (the server's tool list would show it everything).
/// </summary>
public static class PassthroughApi
{
    public static IEndpointRouteBuilder MapPassthroughApi(this IEndpointRouteBuilder routes)
    {
        routes.Map("/servers/{name}/mcp/{**rest}", ForwardAsync).Requires(Permission.Execute).ExcludeFromDescription();
        return routes;
    }

    static readonly HttpMessageInvoker Client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
        ConnectTimeout = TimeSpan.FromSeconds(15),
    });

    static async Task ForwardAsync(HttpContext context, string name, string? rest, UpstreamRegistry upstreams, IHttpForwarder forwarder, AuditLog audit)
    {
        var caller = context.User.Caller();
        var problem = upstreams.Find(name) switch
        {
            null => (StatusCodes.Status404NotFound, $"No MCP server is named '{name}': GET /servers lists the configured ones."),
            { Definition.Url: null } => (StatusCodes.Status404NotFound, $"MCP server '{name}' runs over stdio: reach it at /mcp/{name}."),
            _ when !caller.Scope.AllowsServer(name, upstreams.ToolSeparator) => (StatusCodes.Status403Forbidden, $"'{caller.Name}' may not use MCP server '{name}'."),
            _ when caller.Scope.Tools.Count > 0 => (StatusCodes.Status403Forbidden,
                $"'{caller.Name}' may use only some tools, which a byte-for-byte passthrough cannot check: use /mcp/{name}."),
            _ => default((int, string)?),
        };
        if (problem is var (status, detail))
        {
            await TypedResults.Problem(detail, statusCode: status, title: "Passthrough refused").ExecuteAsync(context);
            return;
        }
        var server = upstreams.Find(name)!.Definition;
        var target = server.Url!;
        if (rest is { Length: > 0 })
        {
            if (!Announced.TryGetValue(AnnouncedKey(server), out var paths) || !paths.ContainsKey("/" + rest))
            {
                await TypedResults.Problem($"'/{rest}' is not a path of MCP server '{name}': its passthrough is /servers/{name}/mcp, and for an SSE " +
                    "server the message path its endpoint event names.", statusCode: StatusCodes.Status404NotFound, title: "Passthrough refused").ExecuteAsync(context);
                return;
            }
            target = new UriBuilder(target) { Path = "/" + rest }.Uri;
        }
        // The server's answers pass as they are, an empty 404 too: no problem body is put in their place.
        if (context.Features.Get<IStatusCodePagesFeature>() is { } statusCodePages)
            statusCodePages.Enabled = false;
        var calls = await ToolCallsAsync(context.Request);
        var at = DateTime.UtcNow;
        var started = Stopwatch.GetTimestamp();
        var error = await forwarder.SendAsync(context, server.Url!.GetLeftPart(UriPartial.Authority), Client, ForwarderRequestConfig.Empty,
            new Transformer(server, target));
        if (error != ForwarderError.None && !context.Response.HasStarted)
            await TypedResults.Problem($"MCP server '{name}' could not be reached ({error}).", statusCode: StatusCodes.Status502BadGateway,
                title: "Upstream failure").ExecuteAsync(context);
        // Its tool calls are audited like any: the outcome is what HTTP says, since the answer's bytes are not read.
        var outcome = error != ForwarderError.None ? "unavailable"
            : context.Response.StatusCode < 300 ? "forwarded"
            : $"http_{context.Response.StatusCode}";
        var duration = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3);
        foreach (var (tool, arguments) in calls)
            audit.Write(new AuditRecord
            {
                At = at, Caller = caller.Name, Source = "passthrough", Server = name, Tool = tool, Outcome = outcome, DurationMs = duration,
                Arguments = audit.Arguments(arguments),
            });
    }

    /// <summary>The <c>tools/call</c> requests in a JSON-RPC body (one message, or a batch), read without consuming it.</summary>
    static async Task<List<(string Tool, Dictionary<string, JsonElement>? Arguments)>> ToolCallsAsync(HttpRequest request)
    {
        if (!HttpMethods.IsPost(request.Method) || request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
            return [];
        request.EnableBuffering();
        try
        {
            using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            var messages = body.RootElement.ValueKind == JsonValueKind.Array ? [.. body.RootElement.EnumerateArray()] : new[] { body.RootElement };
            var calls = new List<(string, Dictionary<string, JsonElement>?)>();
            foreach (var message in messages)
                if (message.ValueKind == JsonValueKind.Object
                    && message.TryGetProperty("method", out var method) && method.ValueEquals(RequestMethods.ToolsCall)
                    && message.TryGetProperty("params", out var parameters) && parameters.ValueKind == JsonValueKind.Object
                    && parameters.TryGetProperty("name", out var tool) && tool.ValueKind == JsonValueKind.String)
                    calls.Add((tool.GetString()!, parameters.TryGetProperty("arguments", out var arguments) && arguments.ValueKind == JsonValueKind.Object
                        ? arguments.EnumerateObject().ToDictionary(a => a.Name, a => a.Value.Clone())
                        : null));
            return calls;
        }
        catch (JsonException)
        {
            return []; // Not JSON-RPC: the server will say so.
        }
        finally
        {
            request.Body.Position = 0;
        }
    }

    // The message paths SSE servers announced, by server name and origin.
    static readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> Announced = new(StringComparer.Ordinal);

    static string AnnouncedKey(McpServerDefinition server) => $"{server.Name} {server.Url!.GetLeftPart(UriPartial.Authority)}";

    sealed class Transformer(McpServerDefinition server, Uri target) : HttpTransformer
    {
        static readonly string[] ClientCredentials = ["Authorization", Authentication.ApiKeyHeader, "Cookie", "Proxy-Authorization"];

        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix,
            CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            proxyRequest.RequestUri = new UriBuilder(target) { Query = Query(httpContext.Request.QueryString) }.Uri;
            foreach (var header in ClientCredentials)
                proxyRequest.Headers.Remove(header);
            foreach (var (header, value) in server.Headers)
            {
                proxyRequest.Headers.Remove(header);
                proxyRequest.Headers.TryAddWithoutValidation(header, value);
            }
            proxyRequest.Headers.Host = null; // The server's own host, not the gateway's.
        }

        /// <summary>
        /// The configured query, then the client's parameters it does not name (ignoring case, as servers may): a client
        /// cannot replace a configured credential, wherever the server looks for it.
        /// </summary>
        string Query(QueryString client)
        {
            static string Name(string pair) => Uri.UnescapeDataString(pair.Split('=', 2)[0]);
            var configured = target.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries);
            var names = configured.Select(Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var added = (client.Value ?? "").TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Where(pair => !names.Contains(Name(pair)));
            return string.Join("&", configured.Concat(added));
        }

        public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse,
            CancellationToken cancellationToken)
        {
            await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
            if (proxyResponse is null || server.Transport == McpTransportKind.StreamableHttp || !HttpMethods.IsGet(httpContext.Request.Method)
                || proxyResponse.Content.Headers.ContentType?.MediaType != "text/event-stream")
                return true;
            await CopyEventsAsync(httpContext, proxyResponse, cancellationToken);
            return false; // Copied here.
        }

        /// <summary>Copies an SSE stream line by line as it comes, with the <c>endpoint</c> event pointed at this route.</summary>
        async Task CopyEventsAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, CancellationToken cancellationToken)
        {
            await using var upstream = await proxyResponse.Content.ReadAsStreamAsync(cancellationToken);
            var reader = PipeReader.Create(upstream);
            var body = httpContext.Response.Body;
            string? eventName = null;
            while (true)
            {
                var read = await reader.ReadAsync(cancellationToken);
                var buffer = read.Buffer;
                while (buffer.PositionOf((byte)'\n') is { } end)
                {
                    var line = buffer.Slice(0, buffer.GetPosition(1, end));
                    buffer = buffer.Slice(line.End);
                    var text = Encoding.UTF8.GetString(line).TrimEnd('\r', '\n');
                    if (text.StartsWith("event:", StringComparison.Ordinal))
                        eventName = text[6..].Trim();
                    else if (text.Length == 0)
                        eventName = null;
                    if (eventName == "endpoint" && text.StartsWith("data:", StringComparison.Ordinal))
                        await body.WriteAsync(Encoding.UTF8.GetBytes($"data: {Rewrite(httpContext, text[5..].Trim())}\n"), cancellationToken);
                    else
                        foreach (var segment in line)
                            await body.WriteAsync(segment, cancellationToken);
                }
                if (read.IsCompleted)
                {
                    foreach (var segment in buffer)
                        await body.WriteAsync(segment, cancellationToken);
                    return;
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                await body.FlushAsync(cancellationToken);
            }
        }

        /// <summary>The server's message endpoint as a path of this route, remembered as one it may forward to.</summary>
        string Rewrite(HttpContext httpContext, string endpoint)
        {
            var announced = new Uri(target, endpoint);
            if (announced.GetLeftPart(UriPartial.Authority) != target.GetLeftPart(UriPartial.Authority))
                return endpoint; // Another host: the client goes there itself.
            Announced.GetOrAdd(AnnouncedKey(server), _ => new(StringComparer.Ordinal)).TryAdd(announced.AbsolutePath, 0);
            return $"{httpContext.Request.PathBase}/servers/{Uri.EscapeDataString(server.Name)}/mcp{announced.PathAndQuery}";
        }
    }
}
