using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpOrch.LocalServers;
using McpOrch.Testing;

namespace Proxy.Api.Tests;

/// <summary>Each test runs its own proxy, because each breaks something on purpose.</summary>
public sealed class FaultTests(ProxyFixture fixture)
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;
    McpServersFixture Servers => fixture.Servers;

    static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient http, string path, string json, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"), cancellationToken);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken));
    }

    static async Task<JsonElement> ServerAsync(ProxyUnderTest proxy, string name, Func<JsonElement, bool> until)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            var servers = await proxy.Http.GetFromJsonAsync<JsonElement[]>("/servers", timeout.Token);
            var server = servers!.Single(s => s.GetProperty("name").GetString() == name);
            if (until(server))
                return server;
            await Task.Delay(100, timeout.Token);
        }
    }

    static bool Healthy(JsonElement server) => server.GetProperty("status").GetString() == "healthy";

    static async Task WaitUntilGoneAsync(IEnumerable<int> pids)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (pids.Any(ProcessTree.IsRunning))
            await Task.Delay(100, timeout.Token);
    }

    [Fact]
    public async Task An_upstream_killed_mid_call_fails_that_call_at_once_and_comes_back()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(new JsonObject { ["test"] = ProxyUnderTest.TestServer() });
        await ServerAsync(proxy, "test", Healthy);
        var upstream = Assert.Single(proxy.ChildProcessIds(), pid => CommandLine(pid).Contains("McpOrch.TestServer", StringComparison.Ordinal));
        var marker = Path.Combine(Path.GetTempPath(), $"killed-{Guid.NewGuid():N}");

        // The call would take 30 s; it must end as soon as the server dies, well within the 20 s allowed here.
        using var noHang = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        noHang.CancelAfter(TimeSpan.FromSeconds(20));
        var call = PostAsync(proxy.Http, "/tools/test.wait", new JsonObject { ["seconds"] = 30, ["marker"] = marker }.ToJsonString(), noHang.Token);
        // Killed once the call runs there: the server writes the marker when it gets it.
        while (!File.Exists(marker))
            await Task.Delay(50, noHang.Token);
        Process.GetProcessById(upstream).Kill();
        var (status, body) = await call;
        File.Delete(marker);

        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.StartsWith("MCP server 'test' disconnected during the call to 'wait'", body.GetProperty("detail").GetString());

        var restarted = await ServerAsync(proxy, "test", s => Healthy(s) && s.GetProperty("restarts").GetInt32() >= 1);
        Assert.Contains("connection lost", restarted.GetProperty("lastError").GetString());
        var (echoStatus, echo) = await PostAsync(proxy.Http, "/tools/test.sleep_echo", """{"ms": 1, "value": "back"}""", Cancellation);
        Assert.Equal(HttpStatusCode.OK, echoStatus);
        Assert.Equal("back", echo.GetProperty("content")[0].GetProperty("text").GetString());
    }

    static string CommandLine(int pid) => File.Exists($"/proc/{pid}/cmdline") ? File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ') : "";

    [Fact]
    public async Task A_call_over_the_servers_timeout_is_504_and_the_server_keeps_working()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(new JsonObject
        {
            ["everything"] = ProxyUnderTest.Stdio(Servers.Everything(), timeoutSeconds: 1),
        });

        var (status, body) = await PostAsync(proxy.Http, "/tools/everything.trigger-long-running-operation", """{"duration": 5, "steps": 5}""", Cancellation);

        Assert.Equal(HttpStatusCode.GatewayTimeout, status);
        Assert.Equal("The call to 'trigger-long-running-operation' on MCP server 'everything' timed out after 1 s and was cancelled.",
            body.GetProperty("detail").GetString());
        var (echoStatus, _) = await PostAsync(proxy.Http, "/tools/everything.echo", """{"message": "still here"}""", Cancellation);
        Assert.Equal(HttpStatusCode.OK, echoStatus);
    }

    [Fact]
    public async Task A_server_that_never_answers_is_reported_and_does_not_hold_up_the_others()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(new JsonObject
        {
            ["silent"] = new JsonObject { ["command"] = Servers.NodeExecutable, ["args"] = new JsonArray("-e", "setInterval(() => {}, 1000)") },
            ["everything"] = ProxyUnderTest.Stdio(Servers.Everything()),
        }, "server:\n  startup_timeout: 2s\n");

        // server-everything is healthy (on a loaded machine its own start may need a second attempt within 2 s).
        await ServerAsync(proxy, "everything", Healthy);
        var tools = await proxy.Http.GetFromJsonAsync<JsonElement[]>("/tools/everything", Cancellation);
        Assert.Contains(tools!, t => t.GetProperty("tool").GetString() == "echo");

        var silent = await ServerAsync(proxy, "silent", s => s.TryGetProperty("lastError", out _));
        Assert.Equal("did not answer: no answer within 2 s", silent.GetProperty("lastError").GetString());
        Assert.NotEqual("healthy", silent.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Killing_the_proxy_leaves_no_child_process_behind()
    {
        var proxy = await ProxyUnderTest.StartAsync(new JsonObject
        {
            ["everything"] = ProxyUnderTest.Stdio(Servers.Everything()),
            ["memory"] = ProxyUnderTest.Stdio(Servers.Memory(Path.Combine(Path.GetTempPath(), $"memory-{Guid.NewGuid():N}.jsonl"))),
            // One that does not exit when its stdin closes: only MCP Orch's watchdog stops it.
            ["lingering"] = ProxyUnderTest.TestServer(linger: true),
        });
        await using (proxy)
        {
            await ServerAsync(proxy, "memory", Healthy);
            await ServerAsync(proxy, "everything", Healthy);
            await ServerAsync(proxy, "lingering", Healthy);
            var children = proxy.ChildProcessIds();
            Assert.True(children.Count >= 3, $"expected the three servers among the proxy's children, found {children.Count}");

            // SIGKILL to the proxy alone: nothing of it runs to stop its servers.
            Process.GetProcessById(proxy.Process.Id).Kill();

            await WaitUntilGoneAsync(children);
        }
    }

    [Fact]
    public async Task Stopping_the_proxy_stops_its_servers_and_exits_cleanly()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(new JsonObject { ["everything"] = ProxyUnderTest.Stdio(Servers.Everything()) });
        await ServerAsync(proxy, "everything", Healthy);
        var children = proxy.ChildProcessIds();
        Assert.NotEmpty(children);

        var servers = children.Where(pid => ProcessTree.CommandName(pid) != "sh").ToList();

        Assert.Equal(0, await proxy.Process.StopAsync());

        // Its servers are stopped before it exits; its watchdog (sh) ends a moment after, when it sees the proxy gone.
        Assert.DoesNotContain(servers, ProcessTree.IsRunning);
        await WaitUntilGoneAsync(children);
    }
}
