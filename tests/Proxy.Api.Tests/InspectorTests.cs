using System.Diagnostics;
using System.Text.Json.Nodes;
using McpOrch.Testing;

namespace Proxy.Api.Tests;

/// <summary>The MCP Inspector's CLI, a client nobody here wrote, lists and calls tools, resources and prompts through <c>/mcp</c>.</summary>
public sealed class InspectorTests(ProxyFixture fixture)
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    Task<string> InspectAsync(params string[] arguments) =>
        RunAsync([new Uri(fixture.Proxy.Process.BaseAddress, "/mcp").ToString(), "--transport", "http",
            "--header", $"Authorization: Bearer {ProxyUnderTest.ProxySecret}", .. arguments]);

    async Task<string> RunAsync(string[] arguments, string? workingDirectory = null)
    {
        using var catalog = ScratchDirectory.Create("inspector");
        var startInfo = fixture.Servers.Inspector(arguments).ToStartInfo();
        startInfo.Environment["MCP_CATALOG_PATH"] = catalog.Combine("mcp.json");
        startInfo.WorkingDirectory = workingDirectory ?? startInfo.WorkingDirectory;
        startInfo.RedirectStandardOutput = startInfo.RedirectStandardError = true;
        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEndAsync(Cancellation);
        var errors = process.StandardError.ReadToEndAsync(Cancellation);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"inspector {string.Join(' ', arguments)} exited with {process.ExitCode}: {await errors}");
        return await output;
    }

    [Fact]
    public async Task The_inspector_starts_mcp_orch_over_stdio_as_the_README_shows()
    {
        // The README's form: the inspector's own options first, then "--" and mcp-orch's command line, which the
        // inspector would otherwise read as its own (it has a --config of its own).
        using var folder = ScratchDirectory.Create("inspector-stdio");
        var config = folder.Combine("my-servers.json");
        await File.WriteAllTextAsync(config, new JsonObject
        {
            ["mcpServers"] = new JsonObject { ["everything"] = ProxyUnderTest.Stdio(fixture.Servers.Everything()) },
        }.ToJsonString(), Cancellation);

        var output = await RunAsync(["--method", "tools/call", "--tool-name", "everything.echo", "--tool-arg", "message=over stdio",
            "-e", $"MCP_ORCH_DATA_DIR={folder.Combine("data")}", "--", "dotnet", BuildOutput.McpOrch, "--config", config], folder.Path);

        Assert.Contains("Echo: over stdio", output);
    }

    [Fact]
    public async Task The_inspector_lists_and_calls_tools_resources_and_prompts()
    {
        Assert.Contains("everything.echo", await InspectAsync("--method", "tools/list"));
        Assert.Contains("Echo: from the inspector", await InspectAsync("--method", "tools/call", "--tool-name", "everything.echo", "--tool-arg", "message=from the inspector"));
        Assert.Contains("mcp-orch://everything/demo://resource/static/document/", await InspectAsync("--method", "resources/list"));
        Assert.Contains("plaintext resource", await InspectAsync("--method", "resources/read", "--uri", "mcp-orch://everything/demo://resource/dynamic/text/1"));
        Assert.Contains("everything.args-prompt", await InspectAsync("--method", "prompts/list"));
        Assert.Contains("Oslo", await InspectAsync("--method", "prompts/get", "--prompt-name", "everything.args-prompt", "--prompt-args", "city=Oslo"));
    }
}
