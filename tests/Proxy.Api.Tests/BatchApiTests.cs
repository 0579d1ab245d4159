using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpOrch.Testing;
using Keys = Proxy.Api.Tests.ProxyFixture.Keys;

namespace Proxy.Api.Tests;

/// <summary>
/// <c>POST /batch/validate</c> against the shared proxy (it answers as <c>/batch/execute</c> decides), and the
/// <c>state</c> filter of <c>GET /batch</c> against a proxy of its own, whose runs are this test's alone.
/// </summary>
public sealed class BatchApiTests(ProxyFixture fixture)
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    HttpClient Client(string key) => fixture.Proxy.ClientWith(key);

    static async Task<List<(string? Step, string Message)>> ValidateAsync(HttpClient http, string plan, bool valid)
    {
        var (status, body) = await http.PostJsonAsync("/batch/validate", $$"""{"plan": {{plan}}}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(valid, body.GetProperty("valid").GetBoolean());
        // "step" is always there: null for a problem of the plan as a whole.
        return [.. body.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("step").GetString(), e.GetProperty("message").GetString()!))];
    }

    [Fact]
    public async Task A_plan_that_validates_is_one_that_execute_runs()
    {
        using var http = Client(ProxyUnderTest.ProxySecret);
        const string plan = """{"steps": [{"id": "a", "tool": "everything.echo", "args": {"message": "checked"}}]}""";

        Assert.Empty(await ValidateAsync(http, plan, valid: true));
        var (status, _) = await http.PostJsonAsync("/batch/execute", $$"""{"plan": {{plan}}}""");
        Assert.Equal(HttpStatusCode.Accepted, status);
    }

    [Fact]
    public async Task Every_problem_is_given_by_step_and_execute_refuses_the_same_plan()
    {
        using var http = Client(ProxyUnderTest.ProxySecret);
        const string plan = """
            {"steps": [
              {"id": "a", "tool": "everything.ehco", "args": {"message": "x"}},
              {"id": "b", "tool": "everything.echo", "args": {"message": "${nope}"}},
              {"id": "c", "tool": "everything.echo", "args": {}}
            ]}
            """;

        var errors = await ValidateAsync(http, plan, valid: false);

        Assert.Equal(["a", "b", "c"], errors.Select(e => e.Step));
        Assert.Contains("unknown tool 'everything.ehco' (did you mean 'everything.echo'?)", errors[0].Message);
        Assert.Contains("refers to unknown step 'nope'", errors[1].Message);
        Assert.Contains("message", errors[2].Message);
        var (status, refused) = await http.PostJsonAsync("/batch/execute", $$"""{"plan": {{plan}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(errors.Count, refused.GetProperty("errors").GetArrayLength());
    }

    [Fact]
    public async Task A_problem_of_the_whole_plan_has_a_null_step()
    {
        using var http = Client(ProxyUnderTest.ProxySecret);

        Assert.Equal([(null, "a plan needs at least one step.")], await ValidateAsync(http, """{"steps": []}""", valid: false));
        var (step, message) = Assert.Single(await ValidateAsync(http, """{"steps": "not a list"}""", valid: false));
        Assert.Null(step);
        Assert.StartsWith("\"plan\" is not a plan", message);
    }

    [Fact]
    public async Task A_step_outside_the_key_s_allow_list_is_named_and_execute_refuses_it_with_403()
    {
        using var echoOnly = Client(Keys.EchoOnly);
        const string plan = """
            {"steps": [
              {"id": "say", "tool": "everything.echo", "args": {"message": "allowed"}},
              {"id": "read", "tool": "memory.read_graph", "args": {}}
            ]}
            """;

        var errors = await ValidateAsync(echoOnly, plan, valid: false);

        Assert.Equal([("read", "'echo-only' may not call 'memory.read_graph': it is outside the key's allow-list.")], errors);
        var (status, refused) = await echoOnly.PostJsonAsync("/batch/execute", $$"""{"plan": {{plan}}}""");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("memory.read_graph", refused.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("{not json", "The body is not valid JSON at line 1, byte 2")]
    [InlineData("""{"request": "add two numbers"}""", "Only an explicit plan can be checked")]
    [InlineData("{}", "Send the plan to check as \"plan\"")]
    public async Task A_body_without_a_plan_is_400_saying_what_to_send(string body, string detail)
    {
        using var http = Client(ProxyUnderTest.ProxySecret);

        var (status, problem) = await http.PostJsonAsync("/batch/validate", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(detail, problem.GetProperty("detail").GetString());
    }

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
