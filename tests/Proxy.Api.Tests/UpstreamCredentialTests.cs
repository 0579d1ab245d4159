using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using McpOrch.Testing;

namespace Proxy.Api.Tests;

/// <summary>
/// The credentials of a remote server's configuration — its URL's user and password and query values, its headers —
/// reach the server as configured, whatever the client sends, and nothing else: no log line, no telemetry.
/// </summary>
public sealed class UpstreamCredentialTests(ProxyFixture fixture)
{
    const string User = "orch-user", Password = "pwsecret222", QuerySecret = "querysecret444", HeaderSecret = "headersecret333";
    static readonly string BasicToken = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));

    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    static JsonObject Entry(int port, string credentials = "", string query = "") => new()
    {
        ["url"] = $"http://{credentials}127.0.0.1:{port}/mcp{query}",
        ["headers"] = new JsonObject { ["X-Upstream-Token"] = HeaderSecret },
    };

    /// <summary>A raw MCP initialize request, as a client sends it first.</summary>
    static HttpRequestMessage Initialize(string path) => new(HttpMethod.Post, path)
    {
        Content = JsonContent.Create(new
        {
            jsonrpc = "2.0", id = 1, method = "initialize",
            @params = new { protocolVersion = "2025-11-25", capabilities = new { }, clientInfo = new { name = "raw", version = "1" } },
        }),
        Headers = { { "Accept", "application/json, text/event-stream" } },
    };

    /// <summary>The request (line, headers, body up to <paramref name="marker"/>) that carried <paramref name="marker"/> upstream.</summary>
    static string RequestCarrying(string sent, string marker)
    {
        var at = sent.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{marker}' was not sent upstream");
        return sent[sent.LastIndexOf("POST ", at, StringComparison.Ordinal)..at];
    }

    [Fact]
    public async Task The_user_and_password_of_the_server_s_URL_go_upstream_as_basic_authorization()
    {
        await using var server = await RemoteEverything.StartAsync(fixture.Servers, "streamableHttp", Cancellation);
        await using var forwarder = new RecordingForwarder(server.Port);
        await using var proxy = await ProxyUnderTest.StartAsync(new JsonObject { ["remote"] = Entry(forwarder.Port, $"{User}:{Password}@") });

        (await proxy.Http.PostAsync("/tools/remote.echo", JsonContent.Create(new { message = "rest" }), Cancellation)).EnsureSuccessStatusCode();
        using var raw = Initialize("/servers/remote/mcp");
        (await proxy.Http.SendAsync(raw, Cancellation)).EnsureSuccessStatusCode();

        // The gateway's own connection, and the passthrough.
        foreach (var request in new[] { RequestCarrying(forwarder.Sent, "\"message\":\"rest\""), RequestCarrying(forwarder.Sent, "\"name\":\"raw\"") })
            Assert.Contains($"\r\nAuthorization: Basic {BasicToken}\r\n", request);
        Assert.DoesNotContain(Password, forwarder.Sent);
    }

    [Fact]
    public async Task A_passthrough_client_cannot_override_the_query_parameters_of_the_server_s_URL()
    {
        await using var server = await RemoteEverything.StartAsync(fixture.Servers, "streamableHttp", Cancellation);
        await using var forwarder = new RecordingForwarder(server.Port);
        await using var proxy = await ProxyUnderTest.StartAsync(new JsonObject { ["remote"] = Entry(forwarder.Port, query: $"?apikey={QuerySecret}") });

        using var raw = Initialize("/servers/remote/mcp?APIKEY=override&apikey=override&extra=kept");
        (await proxy.Http.SendAsync(raw, Cancellation)).EnsureSuccessStatusCode();

        Assert.StartsWith($"POST /mcp?apikey={QuerySecret}&extra=kept HTTP/1.1\r\n", RequestCarrying(forwarder.Sent, "\"name\":\"raw\""));
        Assert.DoesNotContain("override", forwarder.Sent);
    }
}
