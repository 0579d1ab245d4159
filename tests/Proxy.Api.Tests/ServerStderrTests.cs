using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpOrch.Testing;

namespace Proxy.Api.Tests;

/// <summary>
/// <c>GET /servers/{name}/stderr</c>: what a stdio server wrote to stderr, redacted as the log is, kept across a crash
/// and its restart (which is marked), for the servers the key may see; a remote server has none.
/// </summary>
public sealed class ServerStderrTests(ServerStderrTests.Proxy fixture) : IClassFixture<ServerStderrTests.Proxy>
{
    const string Secret = "stderr-secret-value-31337", QuietOnly = "quiet-only-key-for-tests";

    /// <summary>A test server with a secret in its environment, a second one, a remote one that is never up, a disabled one.</summary>
    public sealed class Proxy : IAsyncLifetime
    {
        public ProxyUnderTest Process { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            var noisy = ProxyUnderTest.TestServer();
            noisy["env"] = new JsonObject { ["NOISY_TOKEN"] = Secret };
            Process = await ProxyUnderTest.StartAsync(new JsonObject
            {
                ["noisy"] = noisy,
                ["quiet"] = ProxyUnderTest.TestServer(),
                ["remote"] = new JsonObject { ["url"] = $"http://127.0.0.1:{ServiceProcess.FreePort()}/mcp" },
                ["off"] = new JsonObject { ["command"] = "mcp-orch-never-started", ["disabled"] = true },
            }, $$"""
                security:
                  api_keys:
                    - { name: quiet-only, key: {{QuietOnly}}, permissions: [read, execute], servers: [quiet] }
                """);
        }

        public async ValueTask DisposeAsync() => await Process.DisposeAsync();
    }

    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    HttpClient Admin => fixture.Process.Http;

    HttpClient Client(string key) => fixture.Process.ClientWith(key);

    async Task<HttpStatusCode> CallAsync(string tool, string arguments) => (await Admin.PostJsonAsync($"/tools/{tool}", arguments)).Status;

    static List<(string Kind, string Text, int Process)> Lines(JsonElement body) =>
        [.. body.GetProperty("lines").EnumerateArray().Select(l => (l.GetProperty("kind").GetString()!, l.GetProperty("text").GetString()!, l.GetProperty("process").GetInt32()))];

    /// <summary>The server's entries once one holds <paramref name="text"/>: the stderr reader hands lines on as they come.</summary>
    async Task<JsonElement> StderrOnceAsync(string server, string text)
    {
        var body = default(JsonElement);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            (_, body) = await Admin.GetJsonAsync($"/servers/{server}/stderr?limit=200");
            if (Lines(body).Any(l => l.Text.Contains(text, StringComparison.Ordinal)))
                break;
            await Task.Delay(100, Cancellation);
        }
        return body;
    }

    [Fact]
    public async Task Lines_are_redacted_and_kept_across_a_crash_whose_restart_is_marked()
    {
        Assert.Equal(HttpStatusCode.OK, await CallAsync("noisy.write_stderr", """{"line": "my token is ", "variable": "NOISY_TOKEN"}"""));
        var before = await StderrOnceAsync("noisy", "my token is");
        Assert.Equal(("noisy", "stdio", 200), (before.GetProperty("server").GetString(), before.GetProperty("transport").GetString(),
            before.GetProperty("capacity").GetInt32()));
        Assert.Equal(("start", "process 1 started", 1), Lines(before)[0]);
        Assert.Contains(("stderr", "my token is ***", 1), Lines(before));
        Assert.DoesNotContain(Secret, before.GetRawText());

        // The process dies with the call; supervision starts it again (after about a second).
        Assert.Equal(HttpStatusCode.BadGateway, await CallAsync("noisy.crash", "{}"));
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var servers = await Admin.GetFromJsonAsync<JsonElement>("/servers", Cancellation);
            var noisy = servers.EnumerateArray().Single(s => s.GetProperty("name").GetString() == "noisy");
            if (noisy.GetProperty("status").GetString() == "healthy" && noisy.GetProperty("restarts").GetInt32() == 1)
                break;
            await Task.Delay(100, Cancellation);
        }
        Assert.Equal(HttpStatusCode.OK, await CallAsync("noisy.write_stderr", """{"line": "after the restart"}"""));

        var lines = Lines(await StderrOnceAsync("noisy", "after the restart"));
        var secretLine = lines.IndexOf(("stderr", "my token is ***", 1));
        var restart = lines.FindIndex(l => l is { Kind: "start", Process: 2 });
        var after = lines.IndexOf(("stderr", "after the restart", 2));
        Assert.True(secretLine >= 0 && secretLine < restart && restart < after, string.Join("\n", lines));
        Assert.StartsWith("process 2 started, after: connection lost", lines[restart].Text);

        // limit: the newest entries, which a later read has in a row (more may have come since).
        var (status, newest) = await Admin.GetJsonAsync("/servers/noisy/stderr?limit=2");
        Assert.Equal(HttpStatusCode.OK, status);
        var two = newest.GetProperty("lines").EnumerateArray().Select(l => l.GetRawText()).ToList();
        Assert.Equal(2, two.Count);
        var (_, later) = await Admin.GetJsonAsync("/servers/noisy/stderr?limit=200");
        var all = later.GetProperty("lines").EnumerateArray().Select(l => l.GetRawText()).ToList();
        var at = all.IndexOf(two[0]);
        Assert.True(at >= 0 && at + 1 < all.Count && all[at + 1] == two[1], "the two newest entries are not the latest ones in order");
    }

    [Fact]
    public async Task A_remote_server_has_no_stderr_and_a_disabled_one_none_yet_each_with_a_note()
    {
        var (status, remote) = await Admin.GetJsonAsync("/servers/remote/stderr");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal((0, 0), (remote.GetProperty("capacity").GetInt32(), remote.GetProperty("lines").GetArrayLength()));
        Assert.Contains("is reached over HTTP", remote.GetProperty("note").GetString());

        var (_, off) = await Admin.GetJsonAsync("/servers/off/stderr");
        Assert.Equal(0, off.GetProperty("lines").GetArrayLength());
        Assert.Contains("is disabled", off.GetProperty("note").GetString());
    }

    [Fact]
    public async Task A_key_limited_to_one_server_reads_that_server_s_stderr_alone()
    {
        using var quietOnly = Client(QuietOnly);

        var (allowed, quiet) = await quietOnly.GetJsonAsync("/servers/quiet/stderr");
        var (refused, problem) = await quietOnly.GetJsonAsync("/servers/noisy/stderr");
        var (unknown, missing) = await quietOnly.GetJsonAsync("/servers/nobody/stderr");

        Assert.Equal(HttpStatusCode.OK, allowed);
        Assert.Equal("quiet", quiet.GetProperty("server").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, refused);
        Assert.Contains("'quiet-only' may not use MCP server 'noisy'", problem.GetProperty("detail").GetString());
        // An unknown name: the servers this key may see are listed, no other.
        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.Equal("No MCP server is named 'nobody': the configured ones are quiet.", missing.GetProperty("detail").GetString());
        var (_, everyone) = await Admin.GetJsonAsync("/servers/nobody/stderr");
        Assert.Equal("No MCP server is named 'nobody': the configured ones are noisy, quiet, remote, off.", everyone.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("?limit=0", "limit is how many of the newest lines to show: from 1 to 200 (the lines kept per server), not 0.")]
    [InlineData("?limit=201", "from 1 to 200")]
    [InlineData("?limit=all", "Failed to bind parameter \"int limit\" from \"all\".")]
    public async Task A_limit_out_of_range_is_400_saying_what_it_may_be(string query, string detail)
    {
        var (status, problem) = await Admin.GetJsonAsync($"/servers/quiet/stderr{query}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(detail, problem.GetProperty("detail").GetString());
    }
}
