using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using McpOrch.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Dashboard.Web.BrowserTests;

/// <summary>The pages of the operator's console, used in Chromium as an operator would, against MCP Orch with real servers.</summary>
public sealed class ConsoleTests(ConsoleFixture console)
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_wrong_key_is_refused_with_a_reason_and_the_admin_key_signs_in_to_the_overview()
    {
        var context = await console.Browser.NewContextAsync(new() { BaseURL = console.Dashboard.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/servers");
        Assert.Contains("/sign-in", page.Url);
        await page.Locator("#key input").FillAsync("mco_not-a-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByText("Proxy.Api does not take this key").WaitForAsync();
        await console.ScreenshotAsync(page, "sign-in");

        var signedIn = await console.SignedInPageAsync();
        await signedIn.Locator("[data-card=servers] .figure").Filter(new() { HasText = "2 / 2" }).WaitForAsync();
        await console.ScreenshotAsync(signedIn, "overview");
        await signedIn.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(signedIn).ToHaveURLAsync(new Regex("/sign-in"));
    }

    [Fact]
    public async Task The_servers_page_shows_each_server_healthy_with_its_tools()
    {
        var page = await console.SignedInPageAsync();
        await page.GotoAsync("/servers");

        foreach (var server in new[] { "everything", "slow" })
        {
            var row = page.Locator("tr.fluent-data-grid-row").Filter(new() { HasText = server });
            await row.Locator("[data-status=healthy]").WaitForAsync();
        }
        await page.Locator("#reload").ClickAsync();
        await page.Locator(".reload-result").Filter(new() { HasText = "2 unchanged" }).WaitForAsync();
        await console.ScreenshotAsync(page, "servers");
    }

    [Fact]
    public async Task A_tool_found_by_search_is_tried_with_its_form_and_its_answer_shown()
    {
        var page = await console.SignedInPageAsync();
        await page.GotoAsync("/tools");
        await page.Locator("#tool-search input").FillAsync("echo");
        await page.GetByRole(AriaRole.Link, new() { Name = "everything.echo", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "everything.echo" }).WaitForAsync();

        // Required: said once the user tries without it.
        await page.Locator("#call").ClickAsync();
        await page.Locator("[data-field=message] .field-problem").Filter(new() { HasText = "Required." }).WaitForAsync();
        await page.Locator("#arg-message input").FillAsync("hello from the console");
        await page.Locator("#call").ClickAsync();
        await page.Locator(".tool-answer .content-text").Filter(new() { HasText = "Echo: hello from the console" }).WaitForAsync();
        await console.ScreenshotAsync(page, "try-it");
    }

    [Fact]
    public async Task A_key_is_made_with_its_secret_shown_once_and_revoked()
    {
        var page = await console.SignedInPageAsync();
        await page.GotoAsync("/keys");
        var name = $"console-{Guid.NewGuid():N}"[..16];
        await page.Locator("#key-name input").FillAsync(name);
        await page.Locator("#key-execute").ClickAsync();
        await page.Locator("#key-tools input").FillAsync("everything.*");
        await page.Locator("#create-key").ClickAsync();
        var secret = await page.Locator("#created-secret").InnerTextAsync();
        Assert.StartsWith("mco_", secret);
        await page.Locator("tr.fluent-data-grid-row").Filter(new() { HasText = name }).WaitForAsync();
        await console.ScreenshotAsync(page, "keys");

        // The key works, then is revoked from the page, then does not.
        using var http = new HttpClient { BaseAddress = console.Proxy.BaseAddress }.WithApiKey(secret);
        Assert.True((await http.GetAsync("/tools", Cancellation)).IsSuccessStatusCode);
        await page.Locator($"[data-revoke={name}]").ClickAsync();
        await page.Locator("fluent-dialog").GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await page.Locator("tr.fluent-data-grid-row").Filter(new() { HasText = name }).GetByText("revoked").WaitForAsync();
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await http.GetAsync("/tools", Cancellation)).StatusCode);
    }

    [Fact]
    public async Task A_read_only_key_sees_no_admin_page_and_no_button_it_cannot_use()
    {
        using var admin = new HttpClient { BaseAddress = console.Proxy.BaseAddress }.WithApiKey();
        var made = await admin.PostAsJsonAsync("/admin/keys", new { name = "reader", permissions = new[] { "read" } }, Cancellation);
        var key = (await made.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!["key"]!.GetValue<string>();

        var page = await console.SignedInPageAsync(key);
        Assert.Equal(0, await page.GetByRole(AriaRole.Link, new() { Name = "Keys" }).CountAsync());
        Assert.Equal(0, await page.GetByRole(AriaRole.Link, new() { Name = "Audit" }).CountAsync());
        await page.GotoAsync("/servers");
        await page.Locator("tr.fluent-data-grid-row").Filter(new() { HasText = "everything" }).WaitForAsync();
        Assert.Equal(0, await page.Locator("#reload").CountAsync());
        await page.GotoAsync("/tools/everything.echo");
        await page.GetByText("Calling tools needs the execute permission").WaitForAsync();
        await page.GotoAsync("/keys");
        await page.GetByText("This page needs a permission your key does not have").WaitForAsync();
    }

    [Fact]
    public async Task The_audit_log_filtered_to_a_call_just_made_shows_that_call()
    {
        using var admin = new HttpClient { BaseAddress = console.Proxy.BaseAddress }.WithApiKey();
        // A call to another server first, so that the unfiltered first page shows a row the filters must remove.
        (await admin.PostAsJsonAsync("/tools/slow.sleep_echo", new { ms = 1, value = "other" }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/tools/everything.echo", new { message = "audited" }, Cancellation)).EnsureSuccessStatusCode();
        // The audit log is written off the call's path, a moment later: the page shows what is stored.
        var before = DateTime.UtcNow.AddSeconds(-30).ToString("O");
        for (var deadline = DateTime.UtcNow.AddSeconds(30); ; await Task.Delay(100, Cancellation))
        {
            var stored = await admin.GetFromJsonAsync<JsonObject>($"/admin/audit?from={Uri.EscapeDataString(before)}", Cancellation);
            var tools = stored!["items"]!.AsArray().Select(e => $"{e!["server"]}.{e["tool"]}").ToHashSet();
            if (tools.Contains("everything.echo") && tools.Contains("slow.sleep_echo"))
                break;
            Assert.True(DateTime.UtcNow < deadline, "the calls never reached the audit log");
        }

        var page = await console.SignedInPageAsync();
        await page.GotoAsync("/audit");
        var rows = page.Locator("tr.fluent-data-grid-row[aria-rowindex]");
        await rows.Filter(new() { HasText = "sleep_echo" }).First.WaitForAsync();
        await page.Locator("#filter-server input").FillAsync("everything");
        await page.Locator("#filter-tool input").FillAsync("echo");
        await page.Locator("#filter-caller input").FillAsync("API_KEY");
        await page.Locator("#apply-filters").ClickAsync();
        // Once the filters apply, every row is a call of API_KEY to everything's echo: the call to slow has gone.
        await Expect(rows.Filter(new() { HasNotText = "everything" })).ToHaveCountAsync(0);
        await Expect(rows.Filter(new() { HasText = "rest" }).First).ToContainTextAsync("API_KEY");
        await console.ScreenshotAsync(page, "audit");
        Assert.Contains("server=everything&tool=echo", await page.Locator("#export-csv").GetAttributeAsync("href"));

        // The same selection as CSV, through the dashboard's session (the browser has no key to give Proxy.Api).
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#export-csv").ClickAsync());
        var csv = await File.ReadAllLinesAsync(await download.PathAsync(), Cancellation);
        Assert.StartsWith("id,at,caller,source,server,tool,outcome", csv[0]);
        Assert.NotEmpty(csv[1..]);
        Assert.All(csv[1..].Where(l => l.Length > 0), line => Assert.Contains(",everything,echo,", line));
    }
}
