using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json.Nodes;
using McpOrch.BatchBench.Scenarios;
using McpOrch.BatchBench.Systems;

namespace McpOrch.BatchBench.Measuring;

/// <summary>
/// MCP Orch in one form, driven through its batch API: the scenario's plan goes to <c>POST /batch/execute</c>, the
/// client follows <c>GET /batch/events/{id}</c> to the run's last event, then reads the timestamps from <c>GET /batch/status/{id}</c>.
/// </summary>
public sealed class BatchApiPath(OrchSystem system) : IScenarioPath
{
    static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(1);
    static readonly HashSet<string> LastEvents = ["run.completed", "run.failed", "run.canceled"];
    readonly HttpClient _http = new() { BaseAddress = system.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };

    public string Name => system.Name;

    public string? Form => system.Form;

    public async Task<RunTiming> RunAsync(Scenario scenario, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RunTimeout);
        var clock = Stopwatch.StartNew();
        using var response = await _http.PostAsJsonAsync("/batch/execute", new JsonObject { ["plan"] = scenario.Plan() }, timeout.Token);
        var accepted = await response.Content.ReadAsStringAsync(timeout.Token);
        if (response.StatusCode != HttpStatusCode.Accepted)
            throw new InvalidOperationException($"{Name}: POST /batch/execute answered {(int)response.StatusCode}: {accepted}");
        var id = JsonNode.Parse(accepted)!["task_id"]!.GetValue<string>();
        await WaitForLastEventAsync(id, timeout.Token);
        var clientMs = clock.Elapsed.TotalMilliseconds;

        var status = (await _http.GetFromJsonAsync<JsonObject>($"/batch/status/{id}", timeout.Token))!;
        if (status["state"]?.GetValue<string>() != "Completed")
            throw new InvalidOperationException($"{Name}: run {id} of {scenario.Key} did not complete: {status.ToJsonString()}; see services.log");
        var wall = status["completed_at"]!.GetValue<DateTime>() - status["created_at"]!.GetValue<DateTime>();
        return new RunTiming(wall.TotalMilliseconds, clientMs, Breakdown.From(scenario, status));
    }

    async Task WaitForLastEventAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"/batch/events/{id}", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken))
            if (LastEvents.Contains(item.EventType))
                return;
        throw new InvalidOperationException($"{Name}: the event stream of run {id} ended without its last event");
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await system.DisposeAsync();
    }
}
