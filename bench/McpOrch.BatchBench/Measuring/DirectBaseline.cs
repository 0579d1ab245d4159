using System.Diagnostics;
using McpOrch.BatchBench.Scenarios;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpOrch.BatchBench.Measuring;

/// <summary>
/// The ideal to compare with: the benchmark itself follows the DAG in-process — each step a task that awaits its
/// dependencies (<see cref="Task.WhenAll(Task[])"/>) and calls the tool — over one stdio session with the same test server.
/// What is left above the critical path is the cost of real MCP calls, nothing of scheduling.
/// </summary>
public sealed class DirectBaseline : IScenarioPath
{
    readonly McpClient _client;

    DirectBaseline(McpClient client) => _client = client;

    public string Name => "direct (in-process DAG)";

    public string? Form => null;

    /// <summary>Starts the test server (<c>dotnet <paramref name="testServer"/></c>) as this client's stdio server.</summary>
    public static async Task<DirectBaseline> StartAsync(string testServer, CancellationToken cancellationToken)
    {
        var transport = new StdioClientTransport(new StdioClientTransportOptions { Name = Scenario.Server, Command = "dotnet", Arguments = [testServer] });
        return new DirectBaseline(await McpClient.CreateAsync(transport, cancellationToken: cancellationToken));
    }

    public async Task<RunTiming> RunAsync(Scenario scenario, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var outputs = new Dictionary<string, Task<CallToolResult>>();
        foreach (var step in scenario.Steps)
            outputs[step.Id] = RunStepAsync(step, outputs, cancellationToken);
        await Task.WhenAll(outputs.Values);
        var ms = clock.Elapsed.TotalMilliseconds;
        return new RunTiming(ms, ms, null);
    }

    async Task<CallToolResult> RunStepAsync(BenchStep step, IReadOnlyDictionary<string, Task<CallToolResult>> outputs, CancellationToken cancellationToken)
    {
        var inputs = (await Task.WhenAll(step.After.Select(id => outputs[id]))).Zip(step.After).ToDictionary(p => p.Second, p => p.First);
        if (step.ListCount is { } count)
            return await CallAsync("make_list", new() { ["count"] = count }, cancellationToken);
        if (step.ForEachOver is not { } list)
            return await CallAsync("sleep_echo", new() { ["ms"] = step.LatencyMs, ["value"] = step.EchoText(id => Text(inputs[id])) }, cancellationToken);

        var items = inputs[list].StructuredContent?.GetProperty("items").EnumerateArray() ?? throw new InvalidOperationException("make_list returned no structured content");
        var calls = await Task.WhenAll(items.Select(item =>
            CallAsync("sleep_echo", new() { ["ms"] = step.LatencyMs, ["value"] = $"{step.Id}: {item.GetProperty("n")}" }, cancellationToken)));
        return calls[^1];
    }

    async Task<CallToolResult> CallAsync(string tool, Dictionary<string, object?> arguments, CancellationToken cancellationToken)
    {
        var result = await _client.CallToolAsync(tool, arguments, cancellationToken: cancellationToken);
        return result.IsError == true ? throw new InvalidOperationException($"{tool} failed: {Text(result)}") : result;
    }

    static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(t => t.Text));

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
