using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using McpOrch.LocalServers;
using McpOrch.Testing;
using Microsoft.Playwright;

namespace McpOrch.AppHost.Tests;

/// <summary>
/// The Aspire dashboard as a person sees it, in Chromium: every resource running, and a batch run as one trace across
/// the services. The screenshots are the README's (<c>docs/images/</c>): set <c>MCP_ORCH_UPDATE_SCREENSHOTS=1</c> to
/// write them there; otherwise they go to a scratch folder and only their making is checked.
/// </summary>
[Collection(WholeSystems.Name)]
public sealed class DashboardScreenshotTests : IDisposable
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;
    static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    readonly ScratchDirectory _folder = ScratchDirectory.Create("apphost-screens");

    public void Dispose() => _folder.Dispose();

    string ScreenshotFolder => Environment.GetEnvironmentVariable("MCP_ORCH_UPDATE_SCREENSHOTS") == "1"
        ? Path.Combine(RepositoryRoot.Find(AppContext.BaseDirectory), "docs", "images")
        : _folder.Combine("images");

    [Fact]
    public async Task The_Aspire_dashboard_shows_every_resource_running_and_a_batch_run_as_one_trace()
    {
        var config = new System.Text.Json.Nodes.JsonObject { ["mcpServers"] = new System.Text.Json.Nodes.JsonObject { ["slow"] = TestServer.Command().ToMcpServerEntry() } };
        File.WriteAllText(_folder.Combine("mcp-config.json"), config.ToJsonString());
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.McpOrch_AppHost>(
            ["--data", _folder.Combine("data"), "--proxy-port", "0", "--dashboard-port", "0", "--config", _folder.Combine("mcp-config.json"),
             "--ASPNETCORE_URLS", $"http://127.0.0.1:{LoopbackPort.FindFree()}",
             "--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL", $"http://127.0.0.1:{LoopbackPort.FindFree()}",
             "--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL", $"http://127.0.0.1:{LoopbackPort.FindFree()}",
             "--ASPIRE_ALLOW_UNSECURED_TRANSPORT", "true",
             // No login page in the way: the browser token is for people.
             "--ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS", "true"],
            (options, _) => options.DisableDashboard = false, Cancellation);
        foreach (var service in builder.Resources.OfType<ProjectResource>())
            builder.CreateResourceBuilder(service).WithEnvironment("API_KEY", TestCredentials.AdminKey);
        await using var app = await builder.BuildAsync(Cancellation);
        await app.StartAsync(Cancellation).WaitAsync(StartTimeout, Cancellation);
        foreach (var name in new[] { "proxy-api", "planner-worker", "executor-worker", "dashboard-web" })
            await app.ResourceNotifications.WaitForResourceHealthyAsync(name, Cancellation).WaitAsync(StartTimeout, Cancellation);

        var batch = new BatchClient(app.CreateHttpClient("proxy-api").WithApiKey(), () => "");
        var id = await batch.SubmitPlanAsync("""
            {"steps": [
              {"id": "north", "tool": "slow.sleep_echo", "args": {"ms": 300, "value": "north"}},
              {"id": "south", "tool": "slow.sleep_echo", "args": {"ms": 300, "value": "south"}},
              {"id": "both", "tool": "slow.sleep_echo", "args": {"ms": 1, "value": "${north} and ${south}"}}
            ]}
            """);
        Assert.Equal("Completed", (await batch.WaitForEndAsync(id))["state"]!.GetValue<string>());

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            Env = new Dictionary<string, string> { ["HOME"] = _folder.Combine("home") },
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1600, Height = 900 } });
        // Aspire.Hosting.Testing moves endpoints to free ports: the dashboard says where it is.
        var aspire = await app.ResourceNotifications.WaitForResourceAsync("aspire-dashboard",
            e => e.Snapshot.Urls.Any(u => u.Name == "http"), Cancellation);
        var dashboardUrl = aspire.Snapshot.Urls.First(u => u.Name == "http").Url.TrimEnd('/');
        await page.GotoAsync($"{dashboardUrl}/");
        // Resources: Blazor renders them after the page loads; wait for all ten to show as Running.
        var running = page.GetByText("Running", new() { Exact = true });
        for (var deadline = DateTime.UtcNow.AddSeconds(60); await running.CountAsync() < 10; await Task.Delay(250, Cancellation))
            Assert.True(DateTime.UtcNow < deadline, $"the resources page shows {await running.CountAsync()} resources running:\n{await page.InnerTextAsync("body")}");
        Directory.CreateDirectory(ScreenshotFolder);
        var resources = Path.Combine(ScreenshotFolder, "aspire-resources.png");
        await page.ScreenshotAsync(new() { Path = resources });

        // Traces: the batch run's, from POST /batch/execute to the MCP calls in the executors.
        await page.GotoAsync($"{dashboardUrl}/traces");
        var run = page.GetByText("POST /batch/execute").First;
        await run.WaitForAsync(new() { Timeout = 60_000 });
        await run.ClickAsync();
        await page.GetByText("tools/call slow.sleep_echo").First.WaitForAsync(new() { Timeout = 60_000 });
        var trace = Path.Combine(ScreenshotFolder, "aspire-batch-trace.png");
        await page.ScreenshotAsync(new() { Path = trace });

        Assert.True(new FileInfo(resources).Length > 20_000, "the resources page looks empty");
        Assert.True(new FileInfo(trace).Length > 20_000, "the trace page looks empty");
    }
}
