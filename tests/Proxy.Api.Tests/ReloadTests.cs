using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpOrch.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Proxy.Api.Tests;

public sealed class ReloadTests(ProxyFixture fixture) : IAsyncLifetime
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;
    readonly ScratchDirectory _data = ScratchDirectory.Create("reload");
    ProxyUnderTest _proxy = null!;
    McpServersFixture Servers => fixture.Servers;

    JsonObject Everything(double? timeout = null) => ProxyUnderTest.Stdio(Servers.Everything(), timeoutSeconds: timeout);
    JsonObject Memory() => ProxyUnderTest.Stdio(Servers.Memory(_data.Combine("memory.jsonl")));

    public async ValueTask InitializeAsync() =>
        _proxy = await ProxyUnderTest.StartAsync(new JsonObject { ["everything"] = Everything(), ["gone"] = Memory() });

    public async ValueTask DisposeAsync()
    {
        await _proxy.DisposeAsync();
        _data.Dispose();
    }

    async Task<string[]> ToolNamesAsync() =>
        [.. (await _proxy.Http.GetFromJsonAsync<JsonElement[]>("/tools", Cancellation))!.Select(t => t.GetProperty("name").GetString()!)];

    async Task<(HttpStatusCode, JsonElement)> ReloadAsync()
    {
        using var response = await _proxy.Http.PostAsync("/servers/reload", null, Cancellation);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation));
    }

    static string[] Names(JsonElement result, string property) => [.. result.GetProperty(property).EnumerateArray().Select(e => e.GetString()!)];

    [Fact]
    public async Task Reload_starts_added_stops_removed_restarts_changed_and_tells_every_session()
    {
        Assert.Contains("gone.read_graph", await ToolNamesAsync());
        // An initialize-based session: over HTTP, SDK 2.3.1 grants 2026-07-28 clients no subscriptions/listen
        // stream in its session-less mode, so they have no channel to be told on.
        using var listChanged = new ListChangedListener();
        await using var client = await _proxy.ConnectAsync(Cancellation, options: listChanged.Options);
        await client.ListToolsAsync(cancellationToken: Cancellation);

        await _proxy.WriteServersAsync(new JsonObject { ["everything"] = Everything(timeout: 30), ["memory"] = Memory() });
        var (status, result) = await ReloadAsync();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["memory"], Names(result, "added"));
        Assert.Equal(["gone"], Names(result, "removed"));
        Assert.Equal(["everything"], Names(result, "restarted"));
        var tools = (await listChanged.WaitForToolAsync(client, "memory.read_graph", Cancellation)).Select(t => t.Name).ToList();
        Assert.Contains("memory.read_graph", tools);
        Assert.Contains("everything.echo", tools);
        Assert.DoesNotContain("gone.read_graph", tools);
    }

    [Fact]
    public async Task A_bad_file_is_rejected_with_its_errors_and_the_running_servers_stay()
    {
        await File.WriteAllTextAsync(Path.Combine(_proxy.Folder, "mcp-config.json"), """{"mcpServers": {"everything": {}}}""", Cancellation);

        var (status, problem) = await ReloadAsync();

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("""mcp-config.json: mcpServers.everything: needs "command" (stdio) or "url" (remote).""",
            problem.GetProperty("errors")[0].GetString());
        Assert.StartsWith("The file was not applied; the running servers are kept.", problem.GetProperty("detail").GetString());
        Assert.Contains("everything.echo", await ToolNamesAsync());
    }

    [Fact]
    public async Task A_reload_that_breaks_one_server_leaves_the_others_working()
    {
        await _proxy.WriteServersAsync(new JsonObject
        {
            ["everything"] = Everything(),
            ["gone"] = new JsonObject { ["command"] = "mcp-orch-no-such-command" },
        });
        var (status, result) = await ReloadAsync();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["gone"], Names(result, "restarted"));
        Assert.Equal(["everything"], Names(result, "unchanged"));
        var names = await ToolNamesAsync();
        Assert.Contains("everything.echo", names);
        Assert.DoesNotContain(names, n => n.StartsWith("gone.", StringComparison.Ordinal));
        using var response = await _proxy.Http.PostAsync("/tools/everything.echo", JsonContent.Create(new { message = "fine" }), Cancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_change_of_the_file_is_applied_without_asking()
    {
        await _proxy.WriteServersAsync(new JsonObject { ["everything"] = Everything(), ["memory"] = Memory() });

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (!(await ToolNamesAsync()).Contains("memory.read_graph"))
            await Task.Delay(200, timeout.Token);
        Assert.DoesNotContain(await ToolNamesAsync(), n => n.StartsWith("gone.", StringComparison.Ordinal));
    }
}
