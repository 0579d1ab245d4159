using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using McpOrch.Testing;
using ModelContextProtocol;

namespace Proxy.Api.Tests;

/// <summary>Safe without configuration: the first-start key, refusals to run unsafe, limits, and secrets kept out of sight.</summary>
public sealed partial class SafeDefaultsTests(ProxyFixture fixture)
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [GeneratedRegex("mco_[A-Za-z0-9_-]{40,}")]
    private static partial Regex KeyPattern();

    [Fact]
    public async Task The_first_start_without_keys_prints_an_admin_key_once_and_keeps_only_its_hash()
    {
        using var folder = ScratchDirectory.Create("first-key");
        var noKeys = new Dictionary<string, string> { ["API_KEY"] = "" };
        string secret;
        await using (var first = ServiceProcess.Start("Proxy.Api", folder.Path, noKeys))
        {
            (await first.WaitHealthyAsync()).Dispose();
            secret = KeyPattern().Match(first.Output).Value;
            Assert.NotEmpty(secret);
            Assert.Contains("It is shown only now", first.Output);
            Assert.Single(KeyPattern().Matches(first.Output));

            using var anonymous = new HttpClient { BaseAddress = first.BaseAddress };
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/tools", Cancellation)).StatusCode);
            using var admin = new HttpClient { BaseAddress = first.BaseAddress }.WithApiKey(secret);
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/admin/keys", Cancellation)).StatusCode);
        }
        await StoredKeys.AssertHashedAsync(Path.Combine(folder.Path, ".mcp-orch-data"), secret);

        // The next start finds the key: it makes and prints none, and the printed one still works.
        await using var second = ServiceProcess.Start("Proxy.Api", folder.Path, noKeys);
        (await second.WaitHealthyAsync()).Dispose();
        Assert.DoesNotContain("mco_", second.Output);
        using var again = new HttpClient { BaseAddress = second.BaseAddress }.WithApiKey(secret);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/tools", Cancellation)).StatusCode);
    }

    [Fact]
    public async Task Authentication_off_on_a_public_address_is_refused_unless_insecure_is_given()
    {
        using var folder = ScratchDirectory.Create("insecure");
        var port = ServiceProcess.FreePort();
        var authOff = new Dictionary<string, string> { ["McpOrch__Security__EnableAuth"] = "false" };
        await using (var refused = ServiceProcess.Start("Proxy.Api", folder.Path, port, ["--urls", $"http://0.0.0.0:{port}"], authOff))
        {
            await refused.WaitForExitAsync();
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("MCP Orch cannot start: security.enable_auth is false, and the gateway would listen on 0.0.0.0, not only on loopback", refused.Output);
            Assert.Contains("pass --insecure", refused.Output);
        }
        await using var insecure = ServiceProcess.Start("Proxy.Api", folder.Path, port, ["--urls", $"http://0.0.0.0:{port}", "--insecure"], authOff);
        (await insecure.WaitHealthyAsync()).Dispose();
        using var anonymous = new HttpClient { BaseAddress = insecure.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/tools", Cancellation)).StatusCode);
    }

    [Fact]
    public async Task A_short_JWT_secret_is_refused_at_start()
    {
        using var folder = ScratchDirectory.Create("short-jwt");
        await using var refused = ServiceProcess.Start("Proxy.Api", folder.Path, new Dictionary<string, string> { ["JWT_SECRET"] = "too-short" });
        await refused.WaitForExitAsync();
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("JWT_SECRET (security.jwt_secret) is 9 bytes: HS256 needs at least 32", refused.Output);
    }

    [Fact]
    public async Task Upstream_secrets_appear_in_no_response_log_or_error_and_results_over_the_limit_are_refused()
    {
        const string envSecret = "env-secret-value-789", headerSecret = "header-secret-value-456", urlSecret = "url-secret-value-123";
        var closedPort = ServiceProcess.FreePort();
        await using var proxy = await ProxyUnderTest.StartAsync(new JsonObject
        {
            ["everything"] = ProxyUnderTest.Stdio(fixture.Servers.Everything()),
            // A server that prints its credential and exits: its stderr and exit are logged and shown as its last error.
            ["leaky"] = new JsonObject
            {
                ["command"] = fixture.Servers.NodeExecutable,
                ["args"] = new JsonArray("-e", "console.error('my token is ' + process.env.SECRET_TOKEN); process.exit(4)"),
                ["env"] = new JsonObject { ["SECRET_TOKEN"] = envSecret },
            },
            ["remote"] = new JsonObject
            {
                ["url"] = $"http://127.0.0.1:{closedPort}/mcp?token={urlSecret}",
                ["headers"] = new JsonObject { ["Authorization"] = $"Bearer {headerSecret}" },
            },
        }, "security:\n  max_result_bytes: 1024\n");

        var servers = await proxy.Http.GetStringAsync("/servers", Cancellation);
        Assert.Contains("my token is ***", servers);
        var errors = new List<string>
        {
            servers,
            await (await proxy.Http.GetAsync("/tools/leaky", Cancellation)).Content.ReadAsStringAsync(Cancellation),
            await (await proxy.Http.GetAsync("/tools/remote", Cancellation)).Content.ReadAsStringAsync(Cancellation),
            await (await proxy.Http.PostAsync("/tools/leaky.anything", JsonContent.Create(new { }), Cancellation)).Content.ReadAsStringAsync(Cancellation),
        };

        // A result over security.max_result_bytes becomes an error that says so, over REST and MCP.
        var big = new string('x', 2000);
        using var tooLarge = await proxy.Http.PostAsync("/tools/everything.echo", JsonContent.Create(new { message = big }), Cancellation);
        Assert.Equal(HttpStatusCode.BadGateway, tooLarge.StatusCode);
        Assert.Contains("more than security.max_result_bytes (1024)", await tooLarge.Content.ReadAsStringAsync(Cancellation));
        await using (var mcp = await proxy.ConnectAsync(Cancellation))
        {
            var result = await mcp.CallToolAsync("everything.echo", new Dictionary<string, object?> { ["message"] = big }, cancellationToken: Cancellation);
            Assert.True(result.IsError);
            Assert.Contains("security.max_result_bytes", JsonSerializer.Serialize(result.Content, McpJsonUtilities.DefaultOptions));
        }

        var logs = proxy.Process.Output;
        Assert.Contains("leaky stderr: my token is ***", logs);
        foreach (var text in errors.Append(logs))
        {
            Assert.DoesNotContain(envSecret, text);
            Assert.DoesNotContain(headerSecret, text);
            Assert.DoesNotContain(urlSecret, text);
        }
    }

    [Fact]
    public async Task A_result_far_over_the_limit_from_an_HTTP_server_is_cut_off_as_it_arrives_not_read_whole()
    {
        await using var flooding = await FloodingMcpServer.StartAsync();
        // Between the two: what the gateway takes of the answers (its socket buffers it may take without reading count too).
        await using var forwarder = new RecordingForwarder(flooding.Endpoint.Port);
        await using var proxy = await ProxyUnderTest.StartAsync(new JsonObject { ["flooding"] = new JsonObject { ["url"] = $"http://127.0.0.1:{forwarder.Port}/mcp" } },
            "security:\n  max_result_bytes: 1048576\n");
        Task<HttpResponseMessage> FloodAsync(long bytes) => proxy.Http.PostAsync("/tools/flooding.flood", JsonContent.Create(new { bytes }), Cancellation);

        using (var small = await FloodAsync(1000))
            Assert.Equal(HttpStatusCode.OK, small.StatusCode);

        // 128 MiB: the gateway stops reading a little past 1 MiB and drops the connection, so the rest is never sent. What its
        // socket took unread (at most tcp_rmem's maximum, 32 MiB here) is all it can have been given besides.
        var before = forwarder.Received;
        using var large = await FloodAsync(128L * 1024 * 1024);
        var taken = forwarder.Received - before;
        Assert.True(taken < 64L * 1024 * 1024, $"The gateway took {taken} bytes of a 128 MiB answer: it read the whole result.");
        Assert.Equal(HttpStatusCode.BadGateway, large.StatusCode);
        Assert.Contains("MCP server 'flooding' answered the call to 'flood' with more than security.max_result_bytes (1048576): ask for less",
            await large.Content.ReadAsStringAsync(Cancellation));

        // The server is still there for answers that fit.
        using (var again = await FloodAsync(1000))
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }
}
