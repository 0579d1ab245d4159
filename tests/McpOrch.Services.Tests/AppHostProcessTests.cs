using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using McpOrch.AppHost.BackingServers;
using McpOrch.Testing;

namespace McpOrch.Services.Tests;

/// <summary><c>dotnet run --project McpOrch.AppHost [-- --embedded]</c> as a user runs it: its console, and SIGTERM.</summary>
public sealed class AppHostProcessTests : IDisposable
{
    readonly ScratchDirectory _folder = ScratchDirectory.Create("apphost-cli");

    public void Dispose() => _folder.Dispose();

    /// <summary>Starts the AppHost's build output with <paramref name="args"/>; its output lines go to <paramref name="output"/>.</summary>
    Process Start(StringBuilder output, Action<string>? onLine, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        // Found on this process's PATH, whatever the AppHost's environment says.
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _folder.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            info.Environment[name] = value;
        string[] arguments = [BuildOutput.EntryAssembly("McpOrch.AppHost", "McpOrch.AppHost.dll"), "--data", _folder.Combine("data"),
            "--proxy-port", "0", "--dashboard-port", "0", .. args];
        foreach (var arg in arguments)
            info.ArgumentList.Add(arg);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) =>
        {
            lock (output) output.AppendLine(e.Data);
            if (e.Data is not null)
                onLine?.Invoke(e.Data);
        };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    [Fact]
    public async Task A_healthy_distributed_first_start_prints_no_error_and_shows_the_first_key_last_before_Ctrl_C()
    {
        var config = new JsonObject { ["mcpServers"] = new JsonObject { ["test"] = TestServer.Command().ToMcpServerEntry() } };
        File.WriteAllText(_folder.Combine("mcp-config.json"), config.ToJsonString());
        var output = new StringBuilder();
        var ready = new TaskCompletionSource();
        // No API_KEY: the first start makes a key and shows it.
        using var apphost = Start(output, line =>
        {
            if (line.StartsWith("Ctrl+C stops everything", StringComparison.Ordinal))
                ready.TrySetResult();
        }, new Dictionary<string, string> { ["API_KEY"] = "" });
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken);
            ProcessSignals.Send(apphost.Id, UnixSignal.Terminate);
            await apphost.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);

            string[] lines;
            lock (output) lines = output.ToString().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
            var text = string.Join('\n', lines);
            Assert.Equal(0, apphost.ExitCode);
            Assert.Contains("MCP Orch AppHost: distributed, 2 executors", text);
            var errors = lines.Where(l => l.Contains("fail:", StringComparison.Ordinal) || l.Contains("crit:", StringComparison.Ordinal)
                || l.Contains("ERROR", StringComparison.Ordinal)).ToList();
            Assert.True(errors.Count == 0, $"{errors.Count} error lines on a healthy start:\n{string.Join('\n', errors)}");
            // StackExchange.Redis's connection log: dozens of lines per connect, one with the raw bytes of a handshake reply.
            Assert.DoesNotContain(lines, l => l.Contains("info: StackExchange.Redis", StringComparison.Ordinal));

            // The key proxy-api made, shown again as the last block before "Ctrl+C stops everything.".
            var shown = Assert.Single(lines, l => l.StartsWith("proxy-api", StringComparison.Ordinal) && l.Contains("   mco_", StringComparison.Ordinal));
            var key = shown[shown.IndexOf("mco_", StringComparison.Ordinal)..];
            var ctrlC = Array.FindIndex(lines, l => l.StartsWith("Ctrl+C stops everything", StringComparison.Ordinal));
            var ruler = new string('=', 80);
            Assert.Equal(("", ruler), (lines[ctrlC - 1], lines[ctrlC - 2]));
            var opening = Array.LastIndexOf(lines, ruler, ctrlC - 3);
            Assert.Equal("", lines[opening - 1]);
            Assert.StartsWith("Dashboard ", lines[opening - 2]);
            var block = lines[opening..(ctrlC - 1)];
            Assert.Contains($"   {key}", block);
        }
        finally
        {
            if (!apphost.HasExited)
                apphost.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task Without_the_backing_servers_binaries_it_says_what_to_install_and_suggests_embedded()
    {
        var output = new StringBuilder();
        // Nothing on PATH: the servers' binaries (and the tools they need) are not found.
        using var apphost = Start(output, null, new Dictionary<string, string> { ["PATH"] = _folder.Combine("empty") });

        await apphost.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);

        string text;
        lock (output) text = output.ToString();
        Assert.Equal(1, apphost.ExitCode);
        Assert.Matches(@"McpOrch.AppHost: \S+ not found on PATH: install it with 'apt-get install -y [a-z -]+'", text);
        Assert.Contains("run everything in one process: dotnet run --project McpOrch.AppHost -- --embedded", text);
    }

    [Fact]
    public async Task Embedded_shows_its_resources_and_URLs_and_SIGTERM_stops_every_process_it_started()
    {
        var output = new StringBuilder();
        var ready = new TaskCompletionSource();
        using var apphost = Start(output, line =>
        {
            if (line.StartsWith("Ctrl+C stops everything", StringComparison.Ordinal))
                ready.TrySetResult();
        }, null, "--embedded");
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
            var tree = ProcessTree.Capture(apphost.Id);

            ProcessSignals.Send(apphost.Id, UnixSignal.Terminate);
            await apphost.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);

            string text;
            lock (output) text = output.ToString();
            Assert.Equal(0, apphost.ExitCode);
            Assert.Contains("MCP Orch AppHost: embedded (one process, SQLite)", text);
            Assert.Matches(@"proxy-api +Running +pid \d+ +http://127\.0\.0\.1:\d+/", text);
            Assert.Matches(@"dashboard-web +Running +pid \d+", text);
            Assert.Matches(@"MCP endpoint +http://127\.0\.0\.1:\d+/mcp", text);
            Assert.Matches(@"proxy-api +\| ", text);
            Assert.Matches(@"proxy-api +Stopped", text);
            Assert.True(tree.ProcessIds.Count >= 3, $"expected the AppHost, mcp-orch and the dashboard: {string.Join(", ", tree.ProcessIds)}");
            Assert.Empty(tree.Survivors());
        }
        finally
        {
            if (!apphost.HasExited)
                apphost.Kill(entireProcessTree: true);
        }
    }
}
