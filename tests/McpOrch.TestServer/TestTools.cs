using System.Collections.Concurrent;
using System.ComponentModel;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpOrch.TestServer;

/// <summary>Tools that make the server do what a proxy must cope with.</summary>
[McpServerToolType]
public sealed class TestTools
{
    [McpServerTool(Name = "add_tool"), Description("Adds a tool named `name` to this server, which then sends notifications/tools/list_changed.")]
    public static string AddTool(McpServer server, string name)
    {
        server.ServerOptions.ToolCollection!.Add(McpServerTool.Create(() => $"I am {name}", new McpServerToolCreateOptions { Name = name }));
        return $"added {name}";
    }

    [McpServerTool(Name = "wait"), Description("Writes `waiting` to the file `marker`, then waits `seconds`; if the call is cancelled first, writes `cancelled` there.")]
    public static async Task<string> Wait(double seconds, string marker, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(marker, "waiting", CancellationToken.None);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
            return "waited";
        }
        catch (OperationCanceledException)
        {
            await File.WriteAllTextAsync(marker, "cancelled", CancellationToken.None);
            throw;
        }
    }

    [McpServerTool(Name = "sample"), Description("Asks the client to sample `prompt` and returns what it answered.")]
    public static async Task<string> Sample(McpServer server, string prompt, CancellationToken cancellationToken)
    {
        var result = await server.SampleAsync(new CreateMessageRequestParams
        {
            Messages = [new SamplingMessage { Role = Role.User, Content = [new TextContentBlock { Text = prompt }] }], MaxTokens = 100,
        }, cancellationToken);
        return $"the client answered: {string.Concat(result.Content.OfType<TextContentBlock>().Select(t => t.Text))}";
    }

    [McpServerTool(Name = "roots"), Description("Asks the client for its roots and returns their URIs, one per line.")]
    public static async Task<string> Roots(McpServer server, CancellationToken cancellationToken) =>
        string.Join("\n", (await server.RequestRootsAsync(new ListRootsRequestParams(), cancellationToken)).Roots.Select(r => r.Uri));

    [McpServerTool(Name = "log"), Description("Sends `message` as a log message of `level` from the logger `test-tool`.")]
    public static async Task<string> Log(McpServer server, string message, LoggingLevel level, CancellationToken cancellationToken)
    {
        await server.SendNotificationAsync(NotificationMethods.LoggingMessageNotification,
            new LoggingMessageNotificationParams { Level = level, Logger = "test-tool", Data = JsonSerializer.SerializeToElement(message) },
            cancellationToken: cancellationToken);
        return "logged";
    }

    [McpServerTool(Name = "progress_then_return"), Description("Sends `count` progress notifications, then the log message `label`, then returns `label` at once: a result right behind the notifications about its call.")]
    public static async Task<string> ProgressThenReturn(RequestContext<CallToolRequestParams> request, int count, string label, CancellationToken cancellationToken)
    {
        if (request.Params?.ProgressToken is { } token)
            for (var step = 1; step <= count; step++)
                await request.Server.NotifyProgressAsync(token, new ProgressNotificationValue { Progress = step, Total = count }, cancellationToken: cancellationToken);
        await request.Server.SendNotificationAsync(NotificationMethods.LoggingMessageNotification,
            new LoggingMessageNotificationParams { Level = LoggingLevel.Info, Logger = "test-tool", Data = JsonSerializer.SerializeToElement(label) },
            cancellationToken: cancellationToken);
        return label;
    }

    [McpServerTool(Name = "client_capabilities"), Description("Returns the capabilities the client declared, as JSON.")]
    public static string ClientCapabilities(McpServer server) =>
        JsonSerializer.Serialize(server.ClientCapabilities ?? new(), McpJsonUtilities.DefaultOptions);

    static readonly ConcurrentDictionary<string, int> Calls = new();

    [McpServerTool(Name = "sleep_echo"), Description("Waits `ms` milliseconds, then returns `value`: a tool of known latency for orchestration.")]
    public static async Task<string> SleepEcho(int ms, string value, CancellationToken cancellationToken)
    {
        await Task.Delay(ms, cancellationToken);
        return value;
    }

    [McpServerTool(Name = "logged_sleep_echo"), Description("Writes a new file into the folder `log`, holding the call's `_meta` \"mcp-orch/idempotency-key\" (or `-`), when it starts; waits `ms` milliseconds, then returns `value`.")]
    public static async Task<string> LoggedSleepEcho(RequestContext<CallToolRequestParams> request, string log, int ms, string value,
        CancellationToken cancellationToken)
    {
        // A file per call: calls come from several processes (one per executor), and a file each needs no lock.
        var key = request.Params?.Meta?["mcp-orch/idempotency-key"]?.GetValue<string>() ?? "-";
        await File.WriteAllTextAsync(Path.Combine(log, Guid.NewGuid().ToString("N")), key, CancellationToken.None);
        await Task.Delay(ms, cancellationToken);
        return value;
    }

    [McpServerTool(Name = "stall_first"), Description("The first `times` calls with this `key` hang for a minute (so the caller times out); later ones return how many calls there were.")]
    public static async Task<string> StallFirst(string key, int times, CancellationToken cancellationToken)
    {
        var call = Calls.AddOrUpdate(key, 1, (_, n) => n + 1);
        if (call <= times)
            await Task.Delay(TimeSpan.FromMinutes(1), cancellationToken);
        return $"answered on call {call}";
    }

    [McpServerTool(Name = "make_list", UseStructuredContent = true), Description("Returns {\"items\": [{\"n\": 1}, … {\"n\": count}]} as structured content.")]
    public static ListResult MakeList(int count) => new([.. Enumerable.Range(1, count).Select(n => new ListItem(n))]);

    [McpServerTool(Name = "write_stderr"), Description("Writes `line` to stderr, followed by the value of the environment variable `variable` when one is named.")]
    public static string WriteStderr(string line, string? variable = null)
    {
        Console.Error.WriteLine(variable is null ? line : line + Environment.GetEnvironmentVariable(variable));
        return "written";
    }

    [McpServerTool(Name = "crash"), Description("Kills its own process at once, as a crash would (the call gets no answer).")]
    public static string Crash()
    {
        System.Diagnostics.Process.GetCurrentProcess().Kill();
        return "unreachable";
    }

    [McpServerTool(Name = "fail"), Description("Always returns an error result (isError) with `message`.")]
    public static CallToolResult Fail(string message) =>
        new() { IsError = true, Content = [new TextContentBlock { Text = message }] };
}

public sealed record ListResult(IReadOnlyList<ListItem> Items);

public sealed record ListItem(int N);
