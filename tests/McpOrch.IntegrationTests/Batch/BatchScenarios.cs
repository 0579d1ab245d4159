using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using McpOrch.Testing;

namespace McpOrch.IntegrationTests.Batch;

/// <summary>
/// The batch scenarios, run against both forms of the system (<see cref="SingleProcessBatchTests"/>,
/// <see cref="DistributedBatchTests"/>): the same requests must give the same results.
/// </summary>
public abstract class BatchScenarios
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    protected abstract Task<BatchSystem> SystemAsync();

    static string Strings(JsonNode? array) => string.Join(",", array!.AsArray().Select(n => n!.GetValue<string>()));

    [Fact]
    public async Task A_DAG_with_fan_out_and_fan_in_completes_with_the_right_outputs()
    {
        var system = await SystemAsync();
        var id = await system.Batch.SubmitPlanAsync("""
            {"steps": [
              {"id": "list", "tool": "test.make_list", "args": {"count": 3}},
              {"id": "each", "tool": "test.sleep_echo", "forEach": "${list.items}", "as": "x", "args": {"ms": 20, "value": "n=${x.n}"}},
              {"id": "side", "tool": "test.sleep_echo", "args": {"ms": 20, "value": "independent"}},
              {"id": "join", "tool": "test.sleep_echo", "args": {"ms": 1, "value": "all: ${each}, ${side}, first ${list.items[0].n}"}}
            ]}
            """);

        var status = await system.Batch.WaitForEndAsync(id);
        var result = await system.Batch.ResultAsync(id);

        system.Batch.AssertState(status, "Completed");
        Assert.All(status["steps"]!.AsArray(), s => Assert.Equal("Succeeded", s!["state"]!.GetValue<string>()));
        Assert.Equal("n=1,n=2,n=3", Strings(result["outputs"]!["each"]));
        Assert.Equal("""all: ["n=1","n=2","n=3"], independent, first 1""", result["outputs"]!["join"]!.GetValue<string>());
        var join = BatchClient.Step(status, "join");
        Assert.True(join["started_at"]!.GetValue<DateTime>() >= BatchClient.Step(status, "each")["completed_at"]!.GetValue<DateTime>(),
            "the join started before the step it needs had finished");
    }

    [Fact]
    public async Task Every_call_of_a_run_is_audited_under_its_caller()
    {
        var system = await SystemAsync();
        var id = await system.Batch.SubmitPlanAsync("""
            {"steps": [
              {"id": "list", "tool": "test.make_list", "args": {"count": 2}},
              {"id": "each", "tool": "test.sleep_echo", "forEach": "${list.items}", "args": {"ms": 1, "value": "#${item.n}"}}
            ]}
            """);
        system.Batch.AssertState(await system.Batch.WaitForEndAsync(id), "Completed");

        // The executor writes the records off the hot path: they arrive shortly after the run ends.
        JsonNode[] records = [];
        for (var attempt = 0; attempt < 100 && records.Length < 3; attempt++)
        {
            await Task.Delay(100, Cancellation);
            var page = await system.Http.GetFromJsonAsync<JsonObject>("/admin/audit?source=batch&limit=500", Cancellation);
            records = [.. page!["items"]!.AsArray().Where(r => r!["run_id"]?.GetValue<string>() == id).Select(r => r!)];
        }
        Assert.Equal(3, records.Length);
        Assert.All(records, r =>
        {
            Assert.Equal("API_KEY", r["caller"]!.GetValue<string>());
            Assert.Equal("ok", r["outcome"]!.GetValue<string>());
        });
        Assert.Equal(["make_list", "sleep_echo", "sleep_echo"], records.Select(r => r["tool"]!.GetValue<string>()).Order());
        // Each call's idempotency key, as the server had it in _meta: the step, and the element of a forEach.
        Assert.Equal([$"{id}/each/0", $"{id}/each/1", $"{id}/list"], records.Select(r => r["idempotency_key"]!.GetValue<string>()).Order());
    }

    [Fact]
    public async Task A_forEach_over_fifty_items_keeps_the_input_order()
    {
        var system = await SystemAsync();
        var id = await system.Batch.SubmitPlanAsync("""
            {"steps": [
              {"id": "list", "tool": "test.make_list", "args": {"count": 50}},
              {"id": "each", "tool": "test.sleep_echo", "forEach": "${list.items}", "args": {"ms": 5, "value": "#${item.n}"}}
            ]}
            """);

        var status = await system.Batch.WaitForEndAsync(id);

        system.Batch.AssertState(status, "Completed");
        Assert.Equal(string.Join(",", Enumerable.Range(1, 50).Select(n => $"#{n}")), Strings((await system.Batch.ResultAsync(id))["outputs"]!["each"]));
        Assert.Equal(50, BatchClient.Step(status, "each")["attempts"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_timed_out_call_is_retried_and_the_step_then_succeeds()
    {
        var system = await SystemAsync();
        var id = await system.Batch.SubmitPlanAsync($$$"""{"steps": [{"id": "slow", "tool": "test.stall_first", "args": {"key": "{{{Guid.NewGuid()}}}", "times": 1}}]}""");

        var status = await system.Batch.WaitForEndAsync(id);

        system.Batch.AssertState(status, "Completed");
        Assert.Equal(2, BatchClient.Step(status, "slow")["attempts"]!.GetValue<int>());
        Assert.Equal("answered on call 2", (await system.Batch.ResultAsync(id))["outputs"]!["slow"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_step_that_fails_for_good_fails_the_run_with_the_reason_and_skips_what_needs_it()
    {
        var system = await SystemAsync();
        var id = await system.Batch.SubmitPlanAsync($$$"""
            {"steps": [
              {"id": "bad", "tool": "test.stall_first", "args": {"key": "{{{Guid.NewGuid()}}}", "times": 10}},
              {"id": "after", "tool": "test.sleep_echo", "args": {"ms": 1, "value": "${bad}"}},
              {"id": "other", "tool": "test.sleep_echo", "args": {"ms": 1, "value": "unaffected"}}
            ]}
            """);

        var status = await system.Batch.WaitForEndAsync(id);
        var result = await system.Batch.ResultAsync(id);

        system.Batch.AssertState(status, "Failed");
        var bad = BatchClient.Step(status, "bad");
        // retry_count is 2: three calls, each timing out after the test server's 1 s.
        Assert.Equal(("Failed", 3), (bad["state"]!.GetValue<string>(), bad["attempts"]!.GetValue<int>()));
        Assert.Equal("The call to 'stall_first' on MCP server 'test' timed out after 1 s and was cancelled. (after 3 attempts)", bad["error"]!.GetValue<string>());
        Assert.Equal("Skipped", BatchClient.Step(status, "after")["state"]!.GetValue<string>());
        Assert.Equal("unaffected", result["outputs"]!["other"]!.GetValue<string>());
        Assert.StartsWith("2 of 3 steps did not succeed: after: not run: step 'bad' it depends on failed.; bad: The call to 'stall_first'",
            status["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cancelling_a_run_stops_the_running_call_upstream_and_the_pending_steps_never_start()
    {
        var system = await SystemAsync();
        var marker = Path.Combine(system.Folder, $"cancelled-{Guid.NewGuid():N}");
        var id = await system.Batch.SubmitPlanAsync($$$"""
            {"steps": [
              {"id": "long", "tool": "slow.wait", "args": {"seconds": 60, "marker": "{{{marker}}}"}},
              {"id": "next", "tool": "slow.sleep_echo", "args": {"ms": 1, "value": "${long}"}}
            ]}
            """);
        // Running upstream: the test server writes the marker when the call reaches it. (A step's started_at is set
        // when an executor takes it, a moment before its call goes out: a cancellation then means no call at all.)
        await WaitForMarkerAsync(system, marker, "waiting");

        using var cancel = await system.Http.DeleteAsync($"/batch/cancel/{id}", Cancellation);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);

        var status = await system.Batch.WaitForEndAsync(id);
        system.Batch.AssertState(status, "Canceled");
        Assert.All(status["steps"]!.AsArray(), s => Assert.Equal("Canceled", s!["state"]!.GetValue<string>()));
        Assert.Null(BatchClient.Step(status, "next")["started_at"]);
        await WaitForMarkerAsync(system, marker, "cancelled");
        using var again = await system.Http.DeleteAsync($"/batch/cancel/{id}", Cancellation);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already ended Canceled", await again.Content.ReadAsStringAsync(Cancellation));
    }

    [Fact]
    public async Task Tools_a_server_offers_only_to_clients_that_can_answer_it_run_in_batches_as_the_proxy_lists_them()
    {
        // server-everything lists get-roots-list, trigger-elicitation-request and trigger-sampling-request only to
        // clients that declare roots, elicitation and sampling. Every connection (the executors' too) sees the tools the
        // API validates plans against; with no client to ask, a batch run has no roots, declines, and cannot sample.
        var system = await SystemAsync();
        var id = await system.Batch.SubmitPlanAsync("""
            {"steps": [
              {"id": "roots", "tool": "everything.get-roots-list", "args": {}},
              {"id": "ask", "tool": "everything.trigger-elicitation-request", "args": {}},
              {"id": "sample", "tool": "everything.trigger-sampling-request", "args": {"prompt": "hello"}}
            ]}
            """);

        var status = await system.Batch.WaitForEndAsync(id);
        var result = await system.Batch.ResultAsync(id);

        Assert.Contains("no roots are currently configured", result["outputs"]!["roots"]!.ToJsonString());
        Assert.Contains("decline", result["outputs"]!["ask"]!.ToJsonString());
        Assert.Equal("Failed", BatchClient.Step(status, "sample")["state"]!.GetValue<string>());
        Assert.Contains("sampling/createMessage", result["errors"]!["sample"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_natural_language_request_is_planned_by_the_model_run_and_answered()
    {
        var system = await SystemAsync();
        system.Llm
            .Answer("""{"steps": [{"id": "a", "tool": "test.sleep_echo", "args": {"ms": 1, "value": "forty-two"}}]}""")
            .Answer("The answer is forty-two.");
        var requests = system.Llm.Requests.Count;

        var id = await system.Batch.SubmitAsync(new { request = "What is the answer?" });
        var status = await system.Batch.WaitForEndAsync(id);

        system.Batch.AssertState(status, "Completed");
        Assert.Equal("The answer is forty-two.", (await system.Batch.ResultAsync(id))["answer"]!.GetValue<string>());
        var planning = system.Llm.Requests[requests].ToJsonString();
        Assert.Contains("What is the answer?", planning);
        Assert.Contains("test.sleep_echo", planning);
        Assert.Contains("forty-two", system.Llm.Requests[requests + 1].ToJsonString());
    }

    [Fact]
    public async Task A_model_that_gives_no_valid_plan_after_its_repairs_fails_the_run_with_the_reason()
    {
        var system = await SystemAsync();
        // llm.max_repairs is 2: three answers, each with an unknown tool.
        for (var i = 0; i < 3; i++)
            system.Llm.Answer("""{"steps": [{"id": "a", "tool": "test.no_such_tool", "args": {}}]}""");

        var id = await system.Batch.SubmitAsync(new { request = "Use a tool that does not exist." });
        var status = await system.Batch.WaitForEndAsync(id);

        system.Batch.AssertState(status, "Failed");
        Assert.StartsWith("The model gave no valid plan in 3 attempts (llm.max_repairs = 2)", status["error"]!.GetValue<string>());
        Assert.Contains("test.no_such_tool", status["error"]!.GetValue<string>());
        Assert.Empty(status["steps"]!.AsArray());
    }

    [Fact]
    public async Task After_a_step_fails_the_model_replans_once_and_the_run_completes_another_way()
    {
        var system = await SystemAsync();
        system.Llm
            .Answer("""{"steps": [{"id": "try", "tool": "test.fail", "args": {"message": "no such repo"}}]}""")
            .Answer("""{"steps": [{"id": "instead", "tool": "test.sleep_echo", "args": {"ms": 1, "value": "fallback"}}]}""")
            .Answer("Done another way.");

        var id = await system.Batch.SubmitAsync(new { request = "Do it, whatever it takes." });
        var status = await system.Batch.WaitForEndAsync(id);

        system.Batch.AssertState(status, "Completed");
        Assert.Equal(1, status["replans"]!.GetValue<int>());
        Assert.Equal("Failed", BatchClient.Step(status, "try")["state"]!.GetValue<string>());
        var result = await system.Batch.ResultAsync(id);
        Assert.Equal(("fallback", "Done another way."), (result["outputs"]!["instead"]!.GetValue<string>(), result["answer"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_events_arrive_in_order_and_a_reader_resumes_after_a_disconnect_without_gaps_or_repeats()
    {
        var system = await SystemAsync();
        var id = await system.Batch.SubmitPlanAsync("""
            {"steps": [
              {"id": "a", "tool": "test.sleep_echo", "args": {"ms": 300, "value": "1"}},
              {"id": "b", "tool": "test.sleep_echo", "args": {"ms": 300, "value": "after ${a}"}}
            ]}
            """);

        // Read two events, drop the connection, and resume from the second one's id.
        var first = await ServerSentEvents.ReadAsync(system.Http, $"/batch/events/{id}", lastEventId: null, stopAfter: 2);
        var rest = await ServerSentEvents.ReadAsync(system.Http, $"/batch/events/{id}", first[^1].Id, stopAfter: null);
        var whole = await ServerSentEvents.ReadAsync(system.Http, $"/batch/events/{id}", lastEventId: null, stopAfter: null);

        Assert.Equal(whole.Select(e => e.Id), first.Concat(rest).Select(e => e.Id));
        string[] expected = ["run.created", "step.started", "step.succeeded", "step.started", "step.succeeded", "run.completed"];
        Assert.True(expected.SequenceEqual(whole.Select(e => e.Type)),
            $"events: {string.Join(", ", whole.Select(e => $"{e.Type} {e.Data.ToJsonString()}"))}\n{system.Logs()}");
        Assert.Equal(["a", "a", "b", "b"], whole.Skip(1).Take(4).Select(e => e.Data["step_id"]!.GetValue<string>()));
        // A reader that saw the last event is told there is nothing more: 204 stops an EventSource reconnecting.
        using var resumedAtEnd = new HttpRequestMessage(HttpMethod.Get, $"/batch/events/{id}") { Headers = { { "Last-Event-ID", whole[^1].Id } } };
        using var end = await system.Http.SendAsync(resumedAtEnd, Cancellation);
        Assert.Equal(HttpStatusCode.NoContent, end.StatusCode);
    }

    [Fact]
    public async Task A_forEach_step_tells_its_progress_as_its_elements_are_done()
    {
        var system = await SystemAsync();
        var id = await system.Batch.SubmitPlanAsync("""
            {"steps": [
              {"id": "list", "tool": "test.make_list", "args": {"count": 8}},
              {"id": "each", "tool": "test.sleep_echo", "forEach": "${list.items}", "args": {"ms": 300, "value": "#${item.n}"}}
            ]}
            """);

        var events = await ServerSentEvents.ReadAsync(system.Http, $"/batch/events/{id}", lastEventId: null, stopAfter: null);
        var each = events.Where(e => e.Data["step_id"]?.GetValue<string>() == "each").ToList();
        var described = string.Join(", ", each.Select(e => $"{e.Type} {e.Data.ToJsonString()}"));
        var progress = each.Where(e => e.Type == "step.progress").ToList();
        // Between the step's start and its end: 0 of 8 at once, then (the first element is done 300 ms later, after the
        // quarter second between reports) a growing count of 8.
        Assert.True(each.Count >= 4 && each[0].Type == "step.started" && each[^1].Type == "step.succeeded" && progress.Count == each.Count - 2,
            $"events of 'each': {described}\n{system.Logs()}");
        Assert.All(progress, e => Assert.Equal(8, e.Data["total"]!.GetValue<int>()));
        var done = progress.Select(e => e.Data["done"]!.GetValue<int>()).ToList();
        Assert.Equal(0, done[0]);
        Assert.True(done.Zip(done.Skip(1)).All(p => p.First < p.Second) && done[^1] is >= 1 and <= 8, $"done: {string.Join(", ", done)}");
    }

    /// <summary>Waits until the test server's <c>wait</c> tool has written <paramref name="text"/> to its marker file.</summary>
    static async Task WaitForMarkerAsync(BatchSystem system, string marker, string text)
    {
        // The file may appear a moment before its text.
        for (var deadline = DateTime.UtcNow.AddSeconds(10); !(File.Exists(marker) && await File.ReadAllTextAsync(marker, Cancellation) == text);
             await Task.Delay(50, Cancellation))
            Assert.True(DateTime.UtcNow < deadline, $"the upstream call's marker never said '{text}'\n" + system.Logs());
    }
}
