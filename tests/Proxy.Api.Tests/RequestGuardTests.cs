using System.Net;
using System.Text.Json.Nodes;

namespace Proxy.Api.Tests;

/// <summary>Host, Origin and body-size checks in front of every endpoint.</summary>
public sealed class RequestGuardTests(ProxyFixture fixture)
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    static async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpClient http, HttpMethod method, string path,
        Action<HttpRequestMessage>? change = null, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        change?.Invoke(request);
        using var response = await http.SendAsync(request, Cancellation);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Cancellation));
    }

    [Fact]
    public async Task A_page_of_a_foreign_origin_is_refused_and_the_gateway_s_own_pages_are_not()
    {
        var http = fixture.Proxy.Http;
        var initialize = """{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}""";

        var (status, body) = await SendAsync(http, HttpMethod.Post, "/mcp", r =>
        {
            r.Headers.Add("Origin", "http://evil.example");
            r.Headers.Accept.ParseAdd("application/json, text/event-stream");
        }, initialize);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("Origin 'http://evil.example' may not call this gateway: add it to security.allowed_origins", body);

        (status, _) = await SendAsync(http, HttpMethod.Get, "/tools", r => r.Headers.Add("Origin", $"http://{http.BaseAddress!.Authority}"));
        Assert.Equal(HttpStatusCode.OK, status);
        (status, _) = await SendAsync(http, HttpMethod.Get, "/tools");
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task A_request_for_a_foreign_host_name_on_loopback_is_refused_as_DNS_rebinding()
    {
        var http = fixture.Proxy.Http;

        var (status, body) = await SendAsync(http, HttpMethod.Get, "/tools", r => r.Headers.Host = $"evil.example:{http.BaseAddress!.Port}");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("Host 'evil.example' is not one this gateway answers to", body);

        (status, _) = await SendAsync(http, HttpMethod.Get, "/tools", r => r.Headers.Host = $"localhost:{http.BaseAddress!.Port}");
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task Configured_origins_get_CORS_and_a_body_over_the_limit_gets_413()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(
            new JsonObject { ["everything"] = ProxyUnderTest.Stdio(fixture.Servers.Everything()) },
            environment: new Dictionary<string, string>
            {
                ["McpOrch__Security__AllowedOrigins"] = "https://app.example",
                ["McpOrch__Security__MaxRequestBytes"] = "2048",
            });

        var (status, _) = await SendAsync(proxy.Http, HttpMethod.Options, "/tools", r =>
        {
            r.Headers.Add("Origin", "https://app.example");
            r.Headers.Add("Access-Control-Request-Method", "GET");
        });
        Assert.Equal(HttpStatusCode.NoContent, status);
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/tools") { Headers = { { "Origin", "https://app.example" } } })
        using (var response = await proxy.Http.SendAsync(request, Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("https://app.example", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        }
        (status, _) = await SendAsync(proxy.Http, HttpMethod.Get, "/tools", r => r.Headers.Add("Origin", "https://other.example"));
        Assert.Equal(HttpStatusCode.Forbidden, status);

        var large = $$"""{"message": "{{new string('x', 4096)}}"}""";
        (status, var refusal) = await SendAsync(proxy.Http, HttpMethod.Post, "/tools/everything.echo", body: large);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("\"detail\":\"The body is larger than security.max_request_bytes (2048 bytes): send less, or raise the setting.\"", refusal);
        (status, _) = await SendAsync(proxy.Http, HttpMethod.Post, "/tools/everything.echo", body: """{"message": "small"}""");
        Assert.Equal(HttpStatusCode.OK, status);
    }
}
