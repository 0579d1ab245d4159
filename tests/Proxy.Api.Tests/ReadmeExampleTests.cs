using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using McpOrch.LocalServers;
using McpOrch.Testing;

namespace Proxy.Api.Tests;

/// <summary>
/// README.md's REST and batch examples, run as written — bash and curl, the commands taken from the README's own
/// blocks — against mcp-orch with the sample configuration of <c>samples/</c>; each answer must have the documented
/// shape (<see cref="ReadmeExamples"/>). Only the key (<c>$KEY</c>) and the port differ from a reader's run.
/// </summary>
public sealed partial class ReadmeExampleTests(ProxyFixture fixture)
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    static readonly string Root = RepositoryRoot.Find(AppContext.BaseDirectory);

    [Fact]
    public async Task The_README_s_examples_run_as_written_and_answer_as_documented()
    {
        var examples = ReadmeExamples.Parse(await File.ReadAllTextAsync(Path.Combine(Root, "README.md"), Cancellation));
        Assert.All(new[] { "/tools/everything", "/servers/reload", "/batch/execute", "/batch/result/", "/batch/events/", "/admin/keys" },
            path => Assert.Contains(examples, e => e.Command.Contains(path, StringComparison.Ordinal)));

        using var data = ScratchDirectory.Create("readme");
        // "A request in words" asks for a configured model: this one is the local fake of the OpenAI wire format.
        await using var llm = await FakeChatCompletions.StartAsync();
        llm.Answer("""{"steps": [{"id": "sum", "tool": "everything.get-sum", "args": {"a": 19, "b": 23}}]}""").Answer("19 and 23 make 42.");
        await using var proxy = await ProxyUnderTest.StartAsync(SampleServers(), await File.ReadAllTextAsync(Path.Combine(Root, "samples", "config.yaml"), Cancellation),
            new Dictionary<string, string>
            {
                // What samples/mcp-config.json reads from the environment, pointed into the test's own folder.
                ["MEMORY_FILE_PATH"] = data.Combine("memory.jsonl"),
                ["FILESYSTEM_ROOT"] = data.Path,
                ["McpOrch__Llm__Provider"] = "openai",
                ["McpOrch__Llm__OpenAI__Endpoint"] = llm.Endpoint.ToString(),
                ["McpOrch__Llm__OpenAI__ApiKey"] = "test-key",
            });
        // As for a reader, whose servers are up by the time they try the examples: GET /tools waits for every first connection.
        await proxy.Http.GetStringAsync("/tools", Cancellation);

        var placeholders = new Dictionary<string, string>();
        var failures = new List<string>();
        foreach (var example in examples)
        {
            var command = placeholders.OrderByDescending(p => p.Key.Length)
                .Aggregate(example.Command.Replace(":8080", $":{proxy.Process.BaseAddress.Port}", StringComparison.Ordinal), (text, p) => text.Replace(p.Key, p.Value, StringComparison.Ordinal));
            // The README reads a run's result and events once it has ended ("Once the run has ended").
            if (RunPath().Match(command) is { Success: true } run)
                await proxy.Http.GetStringAsync($"/batch/events/{run.Groups[2].Value}", Cancellation);
            // Statistics are read from the audit log, written off the hot path (within a second): once it holds the calls made so far.
            if (command.Contains("/servers/stats", StringComparison.Ordinal))
                await AuditedAsync(proxy, examples.TakeWhile(e => e != example).Count(e => e.Command.Contains("POST localhost:8080/tools/", StringComparison.Ordinal)));
            var (output, errors) = await RunAsync(command);
            if (ReadmeExamples.Mismatch(example.Output, output, placeholders) is { } mismatch)
                failures.Add($"{example}\n  {mismatch}\n  documented: {example.Output}\n  answered:   {output}{(errors.Length > 0 ? $"\n  stderr: {errors}" : "")}");
        }
        Assert.True(failures.Count == 0, string.Join("\n\n", failures) + "\n\n" + proxy.Process.Output);
    }

    /// <summary>
    /// samples/mcp-config.json with each <c>npx -y package</c> replaced by the same package installed in tests/servers
    /// (run with its Node 22): the test installs nothing from the network. Everything else of the file is kept.
    /// </summary>
    JsonObject SampleServers()
    {
        var installed = new Dictionary<string, string>
        {
            ["@modelcontextprotocol/server-everything"] = fixture.Servers.Everything().Arguments[0],
            ["@modelcontextprotocol/server-memory"] = fixture.Servers.Memory("unused").Arguments[0],
            ["@modelcontextprotocol/server-filesystem"] = fixture.Servers.Filesystem().Arguments[0],
        };
        var servers = JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "samples", "mcp-config.json")))!["mcpServers"]!.AsObject().DeepClone().AsObject();
        foreach (var (_, server) in servers)
        {
            if (server!["command"]?.GetValue<string>() != "npx")
                continue;
            var args = server["args"]!.AsArray().Select(a => a!.GetValue<string>()).Where(a => a != "-y").ToList();
            server["command"] = fixture.Servers.NodeExecutable;
            server["args"] = new JsonArray([.. new[] { installed[args[0]] }.Concat(args.Skip(1)).Select(a => JsonValue.Create(a))]);
        }
        return servers;
    }

    /// <summary>Waits until the audit log holds <paramref name="calls"/> calls (10 s at most).</summary>
    static async Task AuditedAsync(ProxyUnderTest proxy, int calls)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var audit = await proxy.Http.GetFromJsonAsync<JsonElement>("/admin/audit?limit=1", Cancellation);
            if (audit.GetProperty("total").GetInt32() >= calls)
                return;
            await Task.Delay(100, Cancellation);
        }
    }

    /// <summary>Runs <paramref name="command"/> with bash, as a reader's shell would, with <c>$KEY</c> set.</summary>
    static async Task<(string Output, string Errors)> RunAsync(string command)
    {
        using var script = ScratchDirectory.Create("readme-command");
        await File.WriteAllTextAsync(script.Combine("example.sh"), command + "\n", Cancellation);
        var start = new ProcessStartInfo("bash", [script.Combine("example.sh")]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["KEY"] = ProxyUnderTest.ProxySecret;
        using var bash = Process.Start(start)!;
        var output = bash.StandardOutput.ReadToEndAsync(Cancellation);
        var errors = bash.StandardError.ReadToEndAsync(Cancellation);
        await bash.WaitForExitAsync(Cancellation);
        return (await output, (await errors).Trim());
    }

    [GeneratedRegex("/batch/(result|events)/([0-9a-f-]{36})")]
    private static partial Regex RunPath();
}
