using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using McpOrch.LocalServers;
using McpOrch.Testing;

namespace McpOrch.AppHost.Tests;

/// <summary>
/// The AppHost as a user runs it (its build output, with the environment its launch profile gives): what its console
/// says, and that SIGTERM stops everything it started, DCP and the Aspire dashboard included.
/// </summary>
[Collection(WholeSystems.Name)]
public sealed class AppHostProcessTests : IDisposable
{
    const string Marker = "MCP_ORCH_APPHOST_TEST";

    readonly ScratchDirectory _folder = ScratchDirectory.Create("apphost-cli");
    readonly string _marker = Guid.NewGuid().ToString("N");
    readonly StringBuilder _output = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>
    /// Starts the AppHost with <paramref name="args"/>, in the test's folder, with the launch profile's Aspire settings on
    /// free ports and a marker variable every process it starts inherits; <paramref name="ready"/> completes at "Ctrl+C stops everything.".
    /// </summary>
    Process Start(TaskCompletionSource? ready, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        // Found on this process's PATH, whatever the AppHost's environment says.
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = _folder.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment[Marker] = _marker;
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{LoopbackPort.FindFree()}";
        info.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{LoopbackPort.FindFree()}";
        info.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{LoopbackPort.FindFree()}";
        info.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            info.Environment[name] = value;
        foreach (var arg in (string[])[BuildOutput.EntryAssembly("McpOrch.AppHost", "McpOrch.AppHost.dll"), "--data", _folder.Combine("data"),
                     "--proxy-port", "0", "--dashboard-port", "0", .. args])
            info.ArgumentList.Add(arg);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) =>
        {
            lock (_output) _output.AppendLine(e.Data);
            if (e.Data?.StartsWith("Ctrl+C stops everything", StringComparison.Ordinal) == true)
                ready?.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    string[] Lines()
    {
        lock (_output) return [.. _output.ToString().Split('\n').Select(l => l.TrimEnd('\r'))];
    }

    /// <summary>Sends SIGTERM, expects exit code 0, and then no process that inherited the marker.</summary>
    async Task StopAndCheckNothingIsLeftAsync(Process apphost)
    {
        var started = ProcessList.WithEnvironment(Marker, _marker);
        Assert.True(started.Count >= 4, $"expected the AppHost, DCP, the dashboard and the services: {ProcessList.Describe(started)}");
        ProcessSignals.Send(apphost.Id, UnixSignal.Terminate);
        await apphost.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
        Assert.True(apphost.ExitCode == 0, string.Join('\n', Lines()));
        for (var deadline = DateTime.UtcNow.AddSeconds(30); ProcessList.WithEnvironment(Marker, _marker) is { Count: > 0 } left; await Task.Delay(200, TestContext.Current.CancellationToken))
            Assert.True(DateTime.UtcNow < deadline, "still running after the AppHost stopped: " + ProcessList.Describe(left));
    }

    static void KillTree(Process apphost)
    {
        if (!apphost.HasExited)
            apphost.Kill(entireProcessTree: true);
    }

    [Fact]
    public async Task A_distributed_first_start_shows_where_to_go_and_the_first_key_last_and_SIGTERM_stops_every_process()
    {
        var config = new JsonObject { ["mcpServers"] = new JsonObject { ["test"] = TestServer.Command().ToMcpServerEntry() } };
        // In the folder it runs from, as a user's mcp-config.json is: found there, as mcp-orch would.
        File.WriteAllText(_folder.Combine("mcp-config.json"), config.ToJsonString());
        var ready = new TaskCompletionSource();
        // No API_KEY: the first start makes a key and shows it.
        using var apphost = Start(ready, new Dictionary<string, string> { ["API_KEY"] = "" });
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken);
            var lines = Lines();
            Assert.DoesNotContain(lines, l => l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal) || l.Contains("stopped (exit code"));
            Assert.Contains("MCP Orch is running: distributed, 2 executors", lines);
            Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^  Aspire dashboard +http://127\.0\.0\.1:\d+/login\?t=\w+$"));
            Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^  MCP endpoint +http://localhost:\d+/mcp$"));

            // The key proxy-api made, shown as the last block before "Ctrl+C stops everything.".
            var ctrlC = Array.FindIndex(lines, l => l.StartsWith("Ctrl+C stops everything", StringComparison.Ordinal));
            var ruler = new string('=', 80);
            Assert.Equal(("", ruler), (lines[ctrlC - 1], lines[ctrlC - 2]));
            var opening = Array.LastIndexOf(lines, ruler, ctrlC - 3);
            Assert.Equal("", lines[opening - 1]);
            Assert.StartsWith("  MCP Orch dashboard ", lines[opening - 2]);
            Assert.Contains(lines[opening..ctrlC], l => l.StartsWith("   mco_", StringComparison.Ordinal));

            await StopAndCheckNothingIsLeftAsync(apphost);
        }
        finally
        {
            KillTree(apphost);
        }
    }

    [Fact]
    public async Task Without_the_backing_servers_binaries_it_says_what_to_install_and_suggests_embedded()
    {
        // Nothing on PATH: the servers' binaries (and the tools they need) are not found.
        using var apphost = Start(null, new Dictionary<string, string> { ["PATH"] = _folder.Combine("empty") });
        try
        {
            await apphost.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);

            var text = string.Join('\n', Lines());
            Assert.Equal(1, apphost.ExitCode);
            Assert.Matches(@"McpOrch.AppHost: \S+ not found on PATH: install it with 'apt-get install -y [a-z -]+'", text);
            Assert.Contains("run everything in one process: dotnet run --project McpOrch.AppHost -- --embedded", text);
            Assert.DoesNotContain("   at ", text);
        }
        finally
        {
            KillTree(apphost);
        }
    }

    [Fact]
    public async Task Embedded_shows_where_to_go_and_SIGTERM_stops_every_process()
    {
        var ready = new TaskCompletionSource();
        using var apphost = Start(ready, null, "--embedded");
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromMinutes(3), TestContext.Current.CancellationToken);

            var lines = Lines();
            Assert.Contains("MCP Orch is running: embedded (one process, SQLite)", lines);
            Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^  REST and docs +http://localhost:\d+/tools, "));
            await StopAndCheckNothingIsLeftAsync(apphost);
        }
        finally
        {
            KillTree(apphost);
        }
    }
}
