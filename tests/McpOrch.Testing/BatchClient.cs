using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace McpOrch.Testing;

/// <summary>The batch API over HTTP, for tests: submit, poll, read results; failures carry <paramref name="logs"/>.</summary>
/// <param name="http">A client of Proxy.Api.</param>
/// <param name="logs">The output of the system's processes, for failure messages.</param>
public sealed class BatchClient(HttpClient http, Func<string> logs)
{
    /// <summary>Submits <paramref name="body"/> to <c>POST /batch/execute</c> and returns the run's id.</summary>
    public async Task<string> SubmitAsync(object body)
    {
        using var response = await http.PostAsJsonAsync("/batch/execute", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!["task_id"]!.GetValue<string>();
    }

    /// <summary>Submits an explicit plan, given as JSON text.</summary>
    public Task<string> SubmitPlanAsync(string plan) => SubmitAsync(new { plan = JsonNode.Parse(plan) });

    public async Task<JsonObject> StatusAsync(string id) => (await http.GetFromJsonAsync<JsonObject>($"/batch/status/{id}"))!;

    /// <summary>Polls the status until the run ends (or a minute passes) and returns it.</summary>
    public async Task<JsonObject> WaitForEndAsync(string id, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(1));
        while (true)
        {
            var status = await StatusAsync(id);
            if (status["state"]!.GetValue<string>() is "Completed" or "Failed" or "Canceled")
                return status;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Run {id} did not end: {status.ToJsonString()}\n{logs()}");
            await Task.Delay(50);
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds for the run's status.</summary>
    public async Task<JsonObject> WaitForAsync(string id, Func<JsonObject, bool> condition, string what)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); ; await Task.Delay(50))
        {
            var status = await StatusAsync(id);
            if (condition(status))
                return status;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Run {id}: waited in vain for {what}: {status.ToJsonString()}\n{logs()}");
        }
    }

    public async Task<JsonObject> ResultAsync(string id)
    {
        using var response = await http.GetAsync($"/batch/result/{id}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Asserts the run's state; a failure shows the status and every process's output.</summary>
    public void AssertState(JsonObject status, string state) =>
        Assert.True(status["state"]!.GetValue<string>() == state, $"expected {state}: {status.ToJsonString()}\n{logs()}");

    public static JsonObject Step(JsonObject status, string id) =>
        status["steps"]!.AsArray().Single(s => s!["id"]!.GetValue<string>() == id)!.AsObject();
}
