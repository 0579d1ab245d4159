using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using McpOrch.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Dashboard.Web.BrowserTests;

/// <summary>Batch runs in the console: a plan checked as it is typed, a run watched as a live DAG, a long run cancelled.</summary>
public sealed class RunTests(ConsoleFixture console)
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    const string FanOut = """
        {"steps": [
          {"id": "list", "tool": "slow.make_list", "args": {"count": 6}},
          {"id": "each", "tool": "slow.sleep_echo", "forEach": "${list.items}", "as": "x", "args": {"ms": 400, "value": "n=${x.n}"}},
          {"id": "other", "tool": "slow.sleep_echo", "args": {"ms": 300, "value": "beside"}},
          {"id": "join", "tool": "slow.sleep_echo", "args": {"ms": 1, "value": "${each} and ${other}"}}
        ]}
        """;

    [Fact]
    public async Task A_plan_is_checked_as_it_is_typed_and_its_run_is_drawn_until_every_step_is_done()
    {
        var page = await console.SignedInPageAsync();
        await page.GotoAsync("/runs/new");
        var editor = page.Locator("#plan-editor textarea");

        // A tool that does not exist: the validator's error, by step, and no way to start it.
        await editor.FillAsync("""{"steps": [{"id": "bad", "tool": "slow.no_such_tool", "args": {}}]}""");
        await page.Locator(".plan-errors li[data-step=bad]").WaitForAsync();
        Assert.NotNull(await page.Locator("#submit-run").GetAttributeAsync("disabled"));

        await editor.FillAsync(FanOut);
        await page.Locator(".plan-ok").Filter(new() { HasText = "4 steps" }).WaitForAsync();
        await page.Locator("#submit-run").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/runs/[0-9a-f-]{36}$"));

        foreach (var step in new[] { "list", "each", "other", "join" })
            await page.Locator($"svg.dag [data-step={step}][data-state=Succeeded]").WaitForAsync();
        await page.Locator("h1 + [data-status=Completed], [data-status=Completed]").First.WaitForAsync();
        // The forEach step's count, from its step.progress events: all six elements done.
        await Expect(page.Locator("svg.dag [data-step=each]")).ToHaveAttributeAsync("aria-label", new Regex(", 6 / 6$"));
        await page.Locator("svg.dag [data-step=each]").ClickAsync();
        await page.Locator(".step-details[data-step=each] .step-output").Filter(new() { HasText = "n=6" }).WaitForAsync();
        await console.ScreenshotAsync(page, "run");
    }

    [Fact]
    public async Task A_long_run_is_cancelled_from_its_page()
    {
        using var admin = new HttpClient { BaseAddress = console.Proxy.BaseAddress }.WithApiKey();
        var submitted = await admin.PostAsJsonAsync("/batch/execute", JsonNode.Parse("""
            {"plan": {"steps": [{"id": "long", "tool": "slow.sleep_echo", "args": {"ms": 60000, "value": "never"}}]}}
            """), Cancellation);
        var id = (await submitted.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!["task_id"]!.GetValue<string>();

        var page = await console.SignedInPageAsync();
        await page.GotoAsync($"/runs/{id}");
        await page.Locator("svg.dag [data-step=long][data-state=Running]").WaitForAsync();
        await page.Locator("#cancel").ClickAsync();
        await page.Locator("svg.dag [data-step=long][data-state=Canceled]").WaitForAsync();
        await page.Locator("[data-status=Canceled]").First.WaitForAsync();
        Assert.Equal(0, await page.Locator("#cancel").CountAsync());
    }

    [Fact]
    public async Task The_runs_list_filters_by_state()
    {
        using var admin = new HttpClient { BaseAddress = console.Proxy.BaseAddress }.WithApiKey();
        var batch = new BatchClient(admin, () => "");
        var failed = await batch.SubmitPlanAsync("""{"steps": [{"id": "fails", "tool": "slow.fail", "args": {"message": "on purpose"}}]}""");
        var completed = await batch.SubmitPlanAsync("""{"steps": [{"id": "works", "tool": "slow.sleep_echo", "args": {"ms": 1, "value": "ok"}}]}""");
        batch.AssertState(await batch.WaitForEndAsync(failed), "Failed");
        batch.AssertState(await batch.WaitForEndAsync(completed), "Completed");

        var page = await console.SignedInPageAsync();
        await page.GotoAsync("/runs");
        await page.Locator($"a[href='/runs/{completed}']").WaitForAsync();
        await page.Locator("#state-Failed").ClickAsync();
        // The completed run leaving the list is the sign that the filter applied; then only failed runs are listed.
        await Expect(page.Locator($"a[href='/runs/{completed}']")).ToHaveCountAsync(0);
        await Expect(page.Locator("tr.fluent-data-grid-row").Filter(new() { Has = page.Locator($"a[href='/runs/{failed}']") })
            .Locator("[data-status=Failed]")).ToHaveCountAsync(1);
        Assert.Equal(0, await page.Locator("tr.fluent-data-grid-row [data-status]:not([data-status=Failed])").CountAsync());
        await console.ScreenshotAsync(page, "runs");
    }
}
