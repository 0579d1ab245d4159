using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpOrch.Testing;

namespace Proxy.Api.Tests;

/// <summary>The <c>state</c> filter of <c>GET /batch</c>, against a proxy of its own, whose runs are this test's alone.</summary>
public sealed class BatchApiTests
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_runs_list_filters_by_one_or_several_states_and_names_the_states_for_a_wrong_one()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(new JsonObject { ["test"] = ProxyUnderTest.TestServer() });
        var http = proxy.Http;
        async Task<string> RunAsync(string tool, string args) =>
            (await http.PostJsonAsync("/batch/execute", $$$"""{"plan": {"steps": [{"id": "a", "tool": "test.{{{tool}}}", "args": {{{args}}} }]}}"""))
                .Body.GetProperty("task_id").GetString()!;
        var completed = await RunAsync("sleep_echo", """{"ms": 1, "value": "done"}""");
        var failed = await RunAsync("fail", """{"message": "on purpose"}""");
        var running = await RunAsync("sleep_echo", """{"ms": 60000, "value": "late"}""");
        await WaitForStateAsync(http, completed, "Completed");
        await WaitForStateAsync(http, failed, "Failed");

        Assert.Equal([failed, completed], await ListAsync(http, "?state=Completed&state=Failed"));
        Assert.Equal([failed, completed], await ListAsync(http, "?state=completed,failed"));
        Assert.Equal([running], await ListAsync(http, "?state=Running&state=Pending"));
        Assert.Equal([running, failed, completed], await ListAsync(http, ""));
        var page = await http.GetFromJsonAsync<JsonElement>("/batch?state=Completed&state=Failed&offset=1&limit=1", Cancellation);
        Assert.Equal((2, 1, 1), (page.GetProperty("total").GetInt32(), page.GetProperty("offset").GetInt32(), page.GetProperty("limit").GetInt32()));
        Assert.Equal(completed, page.GetProperty("items")[0].GetProperty("task_id").GetString());

        var (status, wrong) = await http.GetJsonAsync("/batch?state=Running&state=Finished");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("state 'Finished' is not one: the states are Pending, Planning, Running, Completed, Failed, Canceled",
            wrong.GetProperty("detail").GetString());
        using var cancelled = await http.DeleteAsync($"/batch/cancel/{running}", Cancellation);
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
    }

    static async Task<string[]> ListAsync(HttpClient http, string query) =>
        [.. (await http.GetFromJsonAsync<JsonElement>($"/batch{query}", Cancellation)).GetProperty("items").EnumerateArray()
            .Select(r => r.GetProperty("task_id").GetString()!)];

    static async Task WaitForStateAsync(HttpClient http, string id, string state)
    {
        string? now = null;
        for (var attempt = 0; attempt < 100 && now != state; attempt++)
        {
            await Task.Delay(100, Cancellation);
            now = (await http.GetFromJsonAsync<JsonElement>($"/batch/status/{id}", Cancellation)).GetProperty("state").GetString();
        }
        Assert.Equal(state, now);
    }
}
