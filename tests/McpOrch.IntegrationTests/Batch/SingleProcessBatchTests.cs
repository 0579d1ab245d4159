using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using McpOrch.Testing;

namespace McpOrch.IntegrationTests.Batch;

/// <summary>One <c>mcp-orch</c> process with no connection strings: SQLite, in-memory messaging and event streams.</summary>
[Collection(WholeSystems.Name)]
public sealed class SingleProcessBatchTests(SingleProcessBatchTests.Fixture fixture) : BatchScenarios, IClassFixture<SingleProcessBatchTests.Fixture>
{
    public sealed class Fixture : IAsyncLifetime
    {
        public BatchSystem System { get; private set; } = null!;

        public async ValueTask InitializeAsync() => System = await BatchSystem.StartSingleProcessAsync();

        public async ValueTask DisposeAsync() => await System.DisposeAsync();
    }

    protected override Task<BatchSystem> SystemAsync() => Task.FromResult(fixture.System);

    [Fact]
    public async Task The_runs_are_kept_in_SQLite_in_the_data_folder()
    {
        var id = await fixture.System.Batch.SubmitPlanAsync("""{"steps": [{"id": "a", "tool": "test.sleep_echo", "args": {"ms": 1, "value": "x"}}]}""");
        await fixture.System.Batch.WaitForEndAsync(id);

        Assert.True(File.Exists(Path.Combine(fixture.System.Folder, "data", "mcp-orch.db")));
        var page = (await fixture.System.Http.GetFromJsonAsync<JsonObject>("/batch?limit=100", TestContext.Current.CancellationToken))!;
        Assert.Contains(page["items"]!.AsArray(), r => r!["task_id"]!.GetValue<string>() == id);
    }

    [Fact]
    public async Task A_run_cut_short_by_a_crash_is_finished_by_the_next_process()
    {
        await using var system = await BatchSystem.StartSingleProcessAsync();
        var id = await system.Batch.SubmitPlanAsync("""
            {"steps": [
              {"id": "long", "tool": "slow.sleep_echo", "args": {"ms": 3000, "value": "before"}},
              {"id": "after", "tool": "slow.sleep_echo", "args": {"ms": 1, "value": "${long} and after"}}
            ]}
            """);
        await system.Batch.WaitForAsync(id, s => BatchClient.Step(s, "long")["started_at"] is not null, "the long step to start");

        await system.CrashAndRestartApiAsync();
        var status = await system.Batch.WaitForEndAsync(id);

        system.Batch.AssertState(status, "Completed");
        Assert.Equal(2, BatchClient.Step(status, "long")["dispatch"]!.GetValue<int>());
        Assert.Equal("before and after", (await system.Batch.ResultAsync(id))["outputs"]!["after"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_requests_get_a_problem_that_says_what_is_wrong()
    {
        var http = fixture.System.Http;
        var cancellation = TestContext.Current.CancellationToken;
        async Task<(HttpStatusCode, string)> PostAsync(string body)
        {
            using var response = await http.PostAsync("/batch/execute", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), cancellation);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellation));
        }

        var (status, text) = await PostAsync("{}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("Send exactly one of", text);

        (status, text) = await PostAsync("{not json");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("not valid JSON", text);

        (status, text) = await PostAsync("""{"plan": {"steps": [{"id": "a", "tool": "test.nope"}, {"id": "b", "tool": "test.sleep_echo", "args": {"ms": "slow", "value": "${c}"}}]}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var errors = JsonNode.Parse(text)!["errors"]!.AsArray().Select(e => e!.GetValue<string>()).ToList();
        Assert.Contains(errors, e => e.StartsWith("step 'a': ", StringComparison.Ordinal) && e.Contains("test.nope"));
        Assert.Contains(errors, e => e.StartsWith("step 'b': ", StringComparison.Ordinal) && e.Contains("${c}"));

        using var unknown = await http.GetAsync($"/batch/status/{Guid.NewGuid()}", cancellation);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var notAnId = await http.DeleteAsync("/batch/cancel/last-week", cancellation);
        Assert.Equal(HttpStatusCode.NotFound, notAnId.StatusCode);
        Assert.Contains("No batch run has the id 'last-week'", await notAnId.Content.ReadAsStringAsync(cancellation));
        using var badPage = await http.GetAsync("/batch?limit=1000", cancellation);
        Assert.Equal(HttpStatusCode.BadRequest, badPage.StatusCode);
    }

    [Fact]
    public async Task The_result_of_a_running_run_is_a_conflict_and_a_finished_run_cannot_be_cancelled()
    {
        var system = fixture.System;
        var id = await system.Batch.SubmitPlanAsync("""{"steps": [{"id": "a", "tool": "slow.sleep_echo", "args": {"ms": 1500, "value": "x"}}]}""");

        using (var early = await system.Http.GetAsync($"/batch/result/{id}", TestContext.Current.CancellationToken))
            Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        await system.Batch.WaitForEndAsync(id);
        using var cancel = await system.Http.DeleteAsync($"/batch/cancel/{id}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Conflict, cancel.StatusCode);
        Assert.Contains("already ended Completed", await cancel.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}
