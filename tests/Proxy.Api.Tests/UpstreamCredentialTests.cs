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
    // The query value as the URL has it: a logged URL shows it escaped, the server reads "query+secret444".
    const string User = "orch-user", Password = "pwsecret222", QuerySecret = "query%2Bsecret444", HeaderSecret = "headersecret333";
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

    [Theory]
    [InlineData(null)]
    [InlineData("Trace")]
    public async Task No_configured_secret_reaches_a_log_line_or_telemetry(string? level)
    {
        await using var server = await RemoteEverything.StartAsync(fixture.Servers, "streamableHttp", Cancellation);
        using var collector = new OtlpReceiver();
        var environment = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        };
        // Every category at the level, those the product quiets by default too.
        if (level is not null)
            foreach (var category in new[] { "Default", "Microsoft.AspNetCore", "ModelContextProtocol", "System.Net.Http.HttpClient" })
                environment[$"Logging__LogLevel__{category}"] = level;
        var proxy = await ProxyUnderTest.StartAsync(
            new JsonObject { ["remote"] = Entry(server.Port, $"{User}:{Password}@", $"?apikey={QuerySecret}") }, environment: environment);
        await using (proxy)
        {
            // The gateway's own connection (REST), and the passthrough (an MCP client, and a raw request with a query).
            (await proxy.Http.PostAsync("/tools/remote.echo", JsonContent.Create(new { message = "rest" }), Cancellation)).EnsureSuccessStatusCode();
            await using (var client = await proxy.ConnectAsync(Cancellation, "/servers/remote/mcp", new() { ProtocolVersion = "2025-11-25" }))
                await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "passed through" }, cancellationToken: Cancellation);
            using var raw = Initialize("/servers/remote/mcp?apikey=override");
            (await proxy.Http.SendAsync(raw, Cancellation)).EnsureSuccessStatusCode();
            // The passthrough's log lines and spans over OTLP (what is exported while stopping does not arrive), then
            // the rest of the console.
            static bool Exported(string received) => received.Contains("Proxying to") && received.Contains("/servers/{name}/mcp");
            for (var deadline = DateTime.UtcNow.AddSeconds(20); !Exported(collector.Received); await Task.Delay(200, Cancellation))
                Assert.True(DateTime.UtcNow < deadline, "no passthrough log line or span came over OTLP");
            Assert.Equal(0, await proxy.Process.StopAsync());
        }

        var logs = proxy.Process.Output;
        foreach (var text in new[] { logs, collector.Received })
            foreach (var secret in new[] { Password, QuerySecret, Uri.UnescapeDataString(QuerySecret), HeaderSecret, BasicToken })
                Assert.DoesNotContain(secret, text);
        Assert.Contains($"Proxying to http://127.0.0.1:{server.Port}/mcp?apikey=***", logs);
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
