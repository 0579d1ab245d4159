using System.Diagnostics;
using System.Text;
using McpOrch.AppHost.BackingServers;
using McpOrch.Testing;

namespace McpOrch.Services.Tests;

/// <summary><c>dotnet run --project McpOrch.AppHost -- --embedded</c> as a user runs it: its console, and SIGTERM.</summary>
public sealed class AppHostProcessTests : IDisposable
{
    readonly ScratchDirectory _folder = ScratchDirectory.Create("apphost-cli");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Embedded_shows_its_resources_and_URLs_and_SIGTERM_stops_every_process_it_started()
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _folder.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { BuildOutput.EntryAssembly("McpOrch.AppHost", "McpOrch.AppHost.dll"), "--embedded", "--data", _folder.Combine("data"),
                     "--proxy-port", "0", "--dashboard-port", "0" })
            info.ArgumentList.Add(arg);
        using var apphost = Process.Start(info)!;
        var output = new StringBuilder();
        var ready = new TaskCompletionSource();
        apphost.OutputDataReceived += (_, e) =>
        {
            lock (output) output.AppendLine(e.Data);
            if (e.Data?.StartsWith("Ctrl+C stops everything", StringComparison.Ordinal) == true)
                ready.TrySetResult();
        };
        apphost.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        apphost.BeginOutputReadLine();
        apphost.BeginErrorReadLine();
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
