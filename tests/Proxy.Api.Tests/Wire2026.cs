using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using McpOrch.Testing;

namespace Proxy.Api.Tests;

/// <summary>
/// A 2026-07-28 client's requests as they go on the wire, with no SDK in between: no session, and the revision,
/// client and capabilities in every request's <c>_meta</c> and headers.
/// </summary>
static class Wire2026
{
    public const string Revision = "2026-07-28";

    /// <summary>An HTTP client that authenticates with <paramref name="key"/>.</summary>
    public static HttpClient Client(ProxyUnderTest proxy, string key) => new HttpClient { BaseAddress = proxy.Process.BaseAddress }.WithApiKey(key);

    /// <summary>The POST of a request: <paramref name="parameters"/> get the client's <c>_meta</c>.</summary>
    public static HttpRequestMessage Request(string path, string method, JsonObject parameters, JsonObject? capabilities = null)
    {
        parameters["_meta"] = new JsonObject
        {
            ["io.modelcontextprotocol/protocolVersion"] = Revision,
            ["io.modelcontextprotocol/clientInfo"] = new JsonObject { ["name"] = "wire-test", ["version"] = "1" },
            ["io.modelcontextprotocol/clientCapabilities"] = capabilities ?? [],
        };
        var body = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = 1, ["method"] = method, ["params"] = parameters };
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Add("MCP-Protocol-Version", Revision);
        request.Headers.Add("Mcp-Method", method);
        if ((parameters["name"] ?? parameters["uri"])?.GetValue<string>() is { } name)
            request.Headers.Add("Mcp-Name", name);
        return request;
    }

    /// <summary>Sends <paramref name="request"/> and returns the JSON-RPC answer (from a JSON body or the SSE stream).</summary>
    public static async Task<JsonNode> SendAsync(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var json = response.Content.Headers.ContentType?.MediaType == "text/event-stream"
            ? text.Split('\n').Where(l => l.StartsWith("data:", StringComparison.Ordinal)).Select(l => l[5..].Trim()).Last(l => l.Contains("\"id\"", StringComparison.Ordinal))
            : text;
        return JsonNode.Parse(json) ?? throw new InvalidOperationException($"HTTP {(int)response.StatusCode} without an answer: {text}");
    }

    /// <summary>
    /// Opens a <c>subscriptions/listen</c> stream asking for <paramref name="notifications"/>; what comes on it arrives
    /// in the returned reader until <paramref name="cancellationToken"/> closes the stream.
    /// </summary>
    public static async Task<ChannelReader<JsonNode>> ListenAsync(HttpClient http, string path, JsonObject notifications, CancellationToken cancellationToken)
    {
        var response = await http.SendAsync(Request(path, "subscriptions/listen", new JsonObject { ["notifications"] = notifications }),
            HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        var heard = Channel.CreateUnbounded<JsonNode>();
        _ = Task.Run(async () =>
        {
            try
            {
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
                while (await reader.ReadLineAsync(cancellationToken) is { } line)
                    if (line.StartsWith("data:", StringComparison.Ordinal))
                        heard.Writer.TryWrite(JsonNode.Parse(line[5..])!);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
            {
                // The stream was closed.
            }
            finally
            {
                heard.Writer.TryComplete();
                response.Dispose();
            }
        }, CancellationToken.None);
        return heard.Reader;
    }

    /// <summary>The next message on a listen stream with <paramref name="method"/>; fails after 30 s.</summary>
    public static async Task<JsonNode> NextAsync(ChannelReader<JsonNode> heard, string method, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            var message = await heard.ReadAsync(timeout.Token);
            if (message["method"]?.GetValue<string>() == method)
                return message;
        }
    }
}
