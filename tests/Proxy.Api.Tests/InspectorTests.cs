using System.Diagnostics;
using McpOrch.Testing;

namespace Proxy.Api.Tests;

/// <summary>The MCP Inspector's CLI, a client nobody here wrote, lists and calls tools, resources and prompts through <c>/mcp</c>.</summary>
public sealed class InspectorTests(ProxyFixture fixture)
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    async Task<string> InspectAsync(params string[] arguments)
    {
        using var catalog = ScratchDirectory.Create("inspector");
        var startInfo = fixture.Servers.Inspector([new Uri(fixture.Proxy.Process.BaseAddress, "/mcp").ToString(), "--transport", "http",
            "--header", $"Authorization: Bearer {ProxyUnderTest.ProxySecret}", .. arguments]).ToStartInfo();
        startInfo.Environment["MCP_CATALOG_PATH"] = catalog.Combine("mcp.json");
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
