using System.Diagnostics;
using System.Text.Json.Nodes;
using McpOrch.Testing;

namespace Proxy.Api.Tests;

/// <summary>
/// mcp-orch as users get it: <c>dotnet pack</c> makes the .NET tool package, <c>dotnet tool install</c> installs it, and
/// an AI client starts the installed <c>mcp-orch</c> command with the spec's client configuration.
/// </summary>
public sealed class InstalledToolTests(ProxyFixture fixture)
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_packed_tool_installs_and_serves_an_AI_client_over_stdio()
    {
        using var folder = ScratchDirectory.Create("tool");
        var project = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(BuildOutput.McpOrch))))!;
        var configuration = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(BuildOutput.McpOrch)))!;
        // The package from the build the tests run, and no other source: the install reaches no registry.
        await RunAsync("dotnet", "pack", project, "-c", configuration, "--no-build", "-o", folder.Combine("packages"));
        await File.WriteAllTextAsync(folder.Combine("nuget.config"), $"""
            <configuration>
              <packageSources><clear /><add key="local" value="{folder.Combine("packages")}" /></packageSources>
            </configuration>
            """, Cancellation);
        await RunAsync("dotnet", "tool", "install", "mcp-orch", "--tool-path", folder.Combine("tools"), "--configfile", folder.Combine("nuget.config"));
        await File.WriteAllTextAsync(folder.Combine("mcp-config.json"), new JsonObject
        {
            ["mcpServers"] = new JsonObject { ["everything"] = ProxyUnderTest.Stdio(fixture.Servers.Everything()) },
        }.ToJsonString(), Cancellation);

        await using var client = await TypeScriptStdioClient.StartAsync(fixture.Servers, folder.Path, [folder.Combine("tools/mcp-orch"), "--mode", "proxy"],
            new Dictionary<string, string> { ["MCP_ORCH_DATA_DIR"] = folder.Combine("data") },
            tool: "everything.echo", arguments: """{"message": "installed"}""");

        Assert.Equal("mcp-orch", client.Connected["serverInfo"]!["name"]!.GetValue<string>());
        Assert.Equal("Echo: installed", client.Connected["results"]![0]!.GetValue<string>());
        var end = await client.EndAsync("close");
        Assert.True(end["code"]?.GetValue<int>() == 0, $"it ended {end.ToJsonString()}:\n{client.Stderr}");
    }

    static async Task RunAsync(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Cancellation);
        var errors = process.StandardError.ReadToEndAsync(Cancellation);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await output}\n{await errors}");
    }
}
