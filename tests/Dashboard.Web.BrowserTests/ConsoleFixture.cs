using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using McpOrch.LocalServers;
using McpOrch.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Dashboard.Web.BrowserTests;

/// <summary>
/// The operator's console as a person uses it: MCP Orch in one process (real server-everything and the test server),
/// Dashboard.Web beside it talking to it over HTTP, and Chromium. Started once for every test of the assembly.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    readonly McpServersFixture _servers = new();
    readonly ScratchDirectory _folder = ScratchDirectory.Create("console");
    IPlaywright? _playwright;

    public ServiceProcess Proxy { get; private set; } = null!;
    public ServiceProcess Dashboard { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: <c>docs/images/</c> with <c>MCP_ORCH_UPDATE_SCREENSHOTS=1</c> (docs/dashboard.md shows them), else a scratch folder.</summary>
    public string ScreenshotFolder { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        await _servers.InitializeAsync();
        var config = new JsonObject
        {
            ["mcpServers"] = new JsonObject
            {
                ["everything"] = _servers.Everything().ToMcpServerEntry(),
                ["slow"] = TestServer.Command().ToMcpServerEntry(),
            },
        };
        File.WriteAllText(_folder.Combine("mcp-config.json"), config.ToJsonString());
        Proxy = ServiceProcess.Start("Proxy.Api", _folder.Path, "--config", _folder.Combine("mcp-config.json"));
        await Proxy.WaitHealthyAsync();
        Dashboard = ServiceProcess.Start("Dashboard.Web", _folder.Path, new Dictionary<string, string>
        {
            ["services__proxy-api__http__0"] = Proxy.BaseAddress.ToString(),
        });
        await Dashboard.WaitHealthyAsync();

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            Env = new Dictionary<string, string> { ["HOME"] = _folder.Combine("home") },
        });
        ScreenshotFolder = Environment.GetEnvironmentVariable("MCP_ORCH_UPDATE_SCREENSHOTS") == "1"
            ? Path.Combine(RepositoryRoot.Find(AppContext.BaseDirectory), "docs", "images")
            : _folder.Combine("images");
        Directory.CreateDirectory(ScreenshotFolder);
    }

    /// <summary>A new browser page (its own cookies) signed in with <paramref name="key"/>, on the overview.</summary>
    public async Task<IPage> SignedInPageAsync(string key = TestCredentials.AdminKey)
    {
        var context = await Browser.NewContextAsync(new() { BaseURL = Dashboard.BaseAddress.ToString(), ViewportSize = new() { Width = 1400, Height = 860 } });
        context.SetDefaultTimeout(30_000);
        SetDefaultExpectTimeout(30_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/sign-in");
        await page.Locator("#key input, input#key").First.FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        // Not WaitForURLAsync: after a navigation the page started itself, Playwright .NET 1.64 checks the frame's load
        // state and then subscribes to its changes without a lock, and a "load" that comes in between is never seen.
        await Expect(page).Not.ToHaveURLAsync(new Regex("/sign-in"));
        await page.GetByRole(AriaRole.Heading, new() { Name = "Overview" }).WaitForAsync();
        return page;
    }

    /// <summary>Saves what <paramref name="page"/> shows as <c>dashboard-{name}.png</c>.</summary>
    public Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotFolder, $"dashboard-{name}.png"), FullPage = true });

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (Dashboard is not null)
            await Dashboard.DisposeAsync();
        if (Proxy is not null)
            await Proxy.DisposeAsync();
        _folder.Dispose();
    }
}
