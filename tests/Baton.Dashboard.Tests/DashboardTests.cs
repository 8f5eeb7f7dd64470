using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Baton.Dashboard.Tests;

/// <summary>The dashboard in Chromium against a real server: what a person does with it, and what it must show.</summary>
public sealed class DashboardTests
{
    [BrowserFact]
    public async Task A_run_is_started_watched_answered_finished_and_forked_from_the_page()
    {
        await using var host = await DashboardHost.StartAsync();
        await using var browser = await BrowserSession.OpenAsync();
        var page = browser.Page;
        await page.GotoAsync(host.Address.ToString());

        // Start a run of the approval sample with its input.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Start a run" })).ToBeVisibleAsync();
        await page.Locator("#start-form").GetByLabel("Workflow").SelectOptionAsync("approval");
        await page.GetByLabel("topic").FillAsync("the dashboard");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start run" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("#/runs/[^/]+$"));
        var runId = page.Url[(page.Url.LastIndexOf('/') + 1)..];

        // It progresses live to its question: the graph colours the steps, the question asks for an answer.
        await Expect(page.Locator("#run-status")).ToHaveTextAsync("waiting");
        await Expect(Node(page, "draft")).ToHaveAttributeAsync("data-status", "succeeded");
        await Expect(Node(page, "ask")).ToHaveAttributeAsync("data-status", "waiting");
        await Expect(page.Locator("#questions")).ToContainTextAsync("Publish 'Draft of the dashboard: three features, two fixes.'? (yes/no)");
        await browser.ScreenshotAsync("run-waiting");
        await browser.AssertAccessibleAsync();

        // The step panel: the draft's input (the run's inputs) and output.
        await page.Locator("#timeline").GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^draft: succeeded") }).ClickAsync();
        await Expect(page.Locator("#step-output")).ToHaveTextAsync("Draft of the dashboard: three features, two fixes.");
        await Expect(page.Locator("#step-input")).ToContainTextAsync("\"topic\": \"the dashboard\"");

        // Answer it: the run goes on and finishes, live, with no reload.
        await page.GetByRole(AriaRole.Radio, new() { Name = "yes" }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Answer" }).ClickAsync();
        await Expect(page.Locator("#run-status")).ToHaveTextAsync("succeeded");
        await Expect(page.Locator("#questions")).ToBeHiddenAsync();
        await Expect(Node(page, "decide")).ToHaveAttributeAsync("data-status", "succeeded");
        await Expect(page.Locator("#run-output")).ToHaveTextAsync(new Regex("^Published after approval"));
        await Expect(page.Locator("#cancel-button")).ToBeDisabledAsync();
        await browser.ScreenshotAsync("run-succeeded");

        // Fork it after the draft: a new run asks again; answered "no", it ends the other way.
        await page.GetByRole(AriaRole.Button, new() { Name = "Fork…" }).ClickAsync();
        await page.GetByLabel("Continue after").SelectOptionAsync(new SelectOptionValue { Label = (await page.GetByLabel("Continue after").Locator("option", new() { HasText = "draft (" }).TextContentAsync())! });
        await page.GetByRole(AriaRole.Button, new() { Name = "Fork run" }).ClickAsync();
        await Expect(page).Not.ToHaveURLAsync(new Regex(Regex.Escape(runId) + "$"));
        var forkId = page.Url[(page.Url.LastIndexOf('/') + 1)..];
        await Expect(page.Locator("#run-id")).ToHaveTextAsync(forkId);
        await Expect(page.Locator("#run-status")).ToHaveTextAsync("waiting");
        await page.GetByRole(AriaRole.Radio, new() { Name = "no" }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Answer" }).ClickAsync();
        await Expect(page.Locator("#run-status")).ToHaveTextAsync("succeeded");
        await Expect(page.Locator("#run-output")).ToHaveTextAsync(new Regex("^Not published"));
        Assert.Equal("succeeded", (await host.ReportAsync(forkId))["status"]!.GetValue<string>());

        // Both runs are in the table.
        await page.GetByRole(AriaRole.Link, new() { Name = "Runs", Exact = true }).ClickAsync();
        await Expect(page.Locator("#runs-table tbody tr")).ToHaveCountAsync(2);
        await Expect(Row(page, runId)).ToContainTextAsync("succeeded");
        await Expect(Row(page, forkId)).ToContainTextAsync("succeeded");
        await browser.ScreenshotAsync("runs");
        await browser.AssertAccessibleAsync();
    }

    [BrowserFact]
    public async Task The_runs_table_follows_runs_other_programs_start_and_steer_live()
    {
        await using var host = await DashboardHost.StartAsync();
        await using var browser = await BrowserSession.OpenAsync();
        var page = browser.Page;
        await page.GotoAsync(host.Address.ToString());
        await Expect(page.Locator("#runs-empty")).ToBeVisibleAsync();
        await Expect(page.Locator("#connection")).ToHaveTextAsync("live");

        // Started through the API, not the page: the feed of every run brings it in, and its move to waiting.
        var runId = await host.StartRunAsync("approval");
        await Expect(Row(page, runId)).ToContainTextAsync("waiting");
        await Expect(Row(page, runId)).ToContainTextAsync("approval");

        using var answer = await host.Client.PostAsync($"/api/runs/{runId}/answer", new StringContent("""{"value":"yes"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, answer.StatusCode);
        await Expect(Row(page, runId)).ToContainTextAsync("succeeded");

        // A run with model calls: its tokens show in the table once it ends.
        var panel = await host.StartRunAsync("parallel-perspectives");
        await Expect(Row(page, panel)).ToContainTextAsync("succeeded");
        var report = await host.ReportAsync(panel);
        var usage = report["usage"]!;
        var tokens = usage["inputTokens"]!.GetValue<long>() + usage["outputTokens"]!.GetValue<long>();
        await Expect(Row(page, panel).Locator("td").Nth(5)).ToHaveTextAsync(tokens.ToString("N0", System.Globalization.CultureInfo.GetCultureInfo("en-US")));
    }

    [BrowserFact]
    public async Task A_run_with_parallel_branches_shows_its_nested_steps_in_the_graph_and_the_timeline_by_keyboard()
    {
        await using var host = await DashboardHost.StartAsync();
        var runId = await host.StartRunAsync("parallel-perspectives");
        await using var browser = await BrowserSession.OpenAsync();
        var page = browser.Page;
        await page.GotoAsync(new Uri(host.Address, $"#/runs/{runId}").ToString());
        await Expect(page.Locator("#run-status")).ToHaveTextAsync("succeeded");

        // Every branch of the parallel is a node of its own, lit by the branch's step; the timeline nests them.
        foreach (var step in (string[])["parallel", "summary"]) await Expect(Node(page, step)).ToHaveAttributeAsync("data-status", "succeeded");
        await Expect(page.Locator("#graph .branch")).ToHaveCountAsync(3);
        await Expect(page.Locator("#graph .branch .node[data-status=succeeded]")).ToHaveCountAsync(3);
        var report = await host.ReportAsync(runId);
        await Expect(page.Locator("#timeline .tl-row")).ToHaveCountAsync(report["steps"]!.AsArray().Count);

        // By keyboard alone: focus the summary's node and open it.
        await Node(page, "summary").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#step-title")).ToHaveTextAsync("Step summary");
        await Expect(page.Locator("#step-output")).ToHaveTextAsync("Go: legal, engineering and finance all agree, with a human in the loop.");
        await Expect(Node(page, "summary")).ToHaveAttributeAsync("aria-pressed", "true");
        await browser.ScreenshotAsync("dashboard");
        await browser.AssertAccessibleAsync();
    }

    [BrowserFact]
    public async Task A_handoff_shows_who_may_transfer_to_whom_as_dotted_edges_between_its_agents()
    {
        await using var host = await DashboardHost.StartAsync();
        var runId = await host.StartRunAsync("support-desk");
        await using var browser = await BrowserSession.OpenAsync();
        var page = browser.Page;
        await page.GotoAsync(new Uri(host.Address, $"#/runs/{runId}").ToString());
        await Expect(page.Locator("#run-status")).ToHaveTextAsync("waiting");

        // support-desk: triage to billing and tech, each of them back to triage; drawn among the handoff's agents.
        await Expect(page.Locator("#graph .branch[data-name=triage]")).ToHaveCountAsync(1);
        var conversation = page.Locator("#graph .branches > svg.edges path.conversation");
        await Expect(conversation).ToHaveCountAsync(4);
        await Expect(page.Locator("#graph .branches > svg.edges text")).ToHaveTextAsync(["transfer", "transfer", "transfer", "transfer"]);
        await browser.ScreenshotAsync("dashboard-handoff");
        Assert.Equal("2 4", await conversation.First.EvaluateAsync<string>("p => getComputedStyle(p).strokeDasharray.replace(/px/g, '').replace(',', '')"));
        await browser.AssertAccessibleAsync();
    }

    [BrowserFact]
    public async Task A_running_step_shows_running_live_and_the_run_is_cancelled_from_the_page()
    {
        await using var host = await DashboardHost.StartAsync(slow: true);
        await using var browser = await BrowserSession.OpenAsync();
        var page = browser.Page;
        await page.GotoAsync(host.Address.ToString());
        await page.Locator("#start-form").GetByLabel("Workflow").SelectOptionAsync("slow");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start run" }).ClickAsync();

        await Expect(page.Locator("#run-status")).ToHaveTextAsync("running");
        await Expect(Node(page, "think")).ToHaveAttributeAsync("data-status", "running");
        await Expect(page.Locator("#timeline .tl-bar.running")).ToHaveCountAsync(1);
        await Expect(page.Locator("#resume-button")).ToBeEnabledAsync();
        await browser.ScreenshotAsync("run-running");

        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(page.Locator("#run-status")).ToHaveTextAsync("cancelled");
        await Expect(page.Locator("#run-error")).ToContainTextAsync("cancelled");
        await Expect(page.Locator("#cancel-button")).ToBeDisabledAsync();
        await Expect(page.Locator("#resume-button")).ToBeDisabledAsync();
        await Expect(page.Locator("#announcer")).ToHaveTextAsync(new Regex("cancelled"));
        var runId = page.Url[(page.Url.LastIndexOf('/') + 1)..];
        Assert.Equal("cancelled", (await host.ReportAsync(runId))["status"]!.GetValue<string>());
    }

    [BrowserFact]
    public async Task On_a_server_with_a_token_the_page_asks_for_it_and_then_works()
    {
        await using var host = await DashboardHost.StartAsync(token: "a-long-secret");
        await using var browser = await BrowserSession.OpenAsync();
        var page = browser.Page;
        await page.GotoAsync(host.Address.ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This server needs a token" })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Bearer token")).ToBeFocusedAsync();

        await page.GetByLabel("Bearer token").FillAsync("a-long-secret");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#token-panel")).ToBeHiddenAsync();
        await Expect(page.Locator("#runs-empty")).ToBeVisibleAsync();
        await Expect(page.Locator("#connection")).ToHaveTextAsync("live");
        await page.Locator("#start-form").GetByLabel("Workflow").SelectOptionAsync("ai-trends-report");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start run" }).ClickAsync();
        await Expect(page.Locator("#run-status")).ToHaveTextAsync("succeeded");
        await Expect(page.Locator("#run-output")).ToHaveTextAsync(new Regex("^Report: "));
    }

    private static ILocator Node(IPage page, string stepId) =>
        page.Locator("#graph .node:not(.terminal)").Filter(new() { Has = page.Locator(".name", new() { HasTextRegex = new Regex($"^{Regex.Escape(stepId)}$") }) }).First;

    private static ILocator Row(IPage page, string runId) => page.Locator($"#runs-table tbody tr[data-run='{runId}']");
}
