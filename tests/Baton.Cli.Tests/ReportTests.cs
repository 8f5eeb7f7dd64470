using System.Text.Json.Nodes;

namespace Baton.Cli.Tests;

/// <summary>The run report through the real command: every step, nested ones included, with its path and parent.</summary>
public sealed class ReportTests : IDisposable
{
    private readonly BatonCommand _baton = new();

    public void Dispose() => _baton.Dispose();

    private const string Nested = """
        version: 1
        name: nested
        agents:
          a: { template: "A" }
          b: { template: "B" }
          up: { template: "{{ input | upcase }}" }
        workflow:
          sequential:
            - parallel: { branches: { first: a, second: b } }
            - foreach: { items: "['x','y']", do: up }
            - route: { classify: "'one'", routes: { one: [a, b] }, validate: "output == 'B'" }
            - states:
                analyze: { do: a, next: [{ when: "state.n == null", goto: count }] }
                count: { do: { set: { n: "1" } }, next: analyze }
        """;

    private static string[] Strings(JsonArray steps, string field) => [.. steps.Select(s => s![field]?.GetValue<string>() ?? "(null)")];

    [Fact]
    public async Task The_report_lists_every_nested_step_with_a_unique_path_and_its_parent_in_start_order()
    {
        var file = _baton.Write("nested.yaml", Nested);

        var report = await _baton.JsonAsync(0, "run", file, "--json");

        Assert.Equal(["runId", "workflow", "status", "output", "steps", "usage", "children", "error"], report.Select(p => p.Key));
        Assert.Equal("nested", report["workflow"]!.GetValue<string>());
        var steps = report["steps"]!.AsArray();
        Assert.Equal(
            ["parallel", "parallel/first/a", "parallel/second/b",
             "foreach", "foreach/0/up", "foreach/1/up",
             "route", "route/classify/classify", "route/try1/a", "route/validate1/validate", "route/try2/b", "route/validate2/validate",
             "states", "states/analyze", "states/count", "states/count/set", "states/analyze#2"],
            Strings(steps, "path"));
        Assert.Equal(
            ["(null)", "parallel", "parallel",
             "(null)", "foreach", "foreach",
             "(null)", "route", "route", "route", "route", "route",
             "(null)", "states", "states", "states/count", "states"],
            Strings(steps, "parent"));
        Assert.Equal(["parallel", "a", "b", "foreach", "up", "up", "route", "classify", "a", "validate", "b", "validate", "states", "analyze", "count", "set", "analyze"], Strings(steps, "id"));
        Assert.All(steps, s => Assert.Equal(["id", "path", "parent", "agent", "status", "attempts", "startedAt", "endedAt", "output", "error", "usage"], s!.AsObject().Select(p => p.Key)));
        Assert.All(steps, s => Assert.Equal("succeeded", s!["status"]!.GetValue<string>()));
        Assert.Equal(steps.Count, Strings(steps, "path").Distinct().Count());
        // The agent a step calls, nested ones included; a state's visits each have their own output.
        Assert.Equal(("a", "b", "up"), (steps[1]!["agent"]!.GetValue<string>(), steps[2]!["agent"]!.GetValue<string>(), steps[4]!["agent"]!.GetValue<string>()));
        Assert.Equal(["X", "Y"], steps[3]!["output"]!.AsArray().Select(v => v!.GetValue<string>()));
        // Every child starts no earlier than its parent; times are ISO 8601 in UTC, one format.
        var byPath = steps.ToDictionary(s => s!["path"]!.GetValue<string>(), s => s!);
        foreach (var step in steps)
        {
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", step!["startedAt"]!.GetValue<string>());
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", step["endedAt"]!.GetValue<string>());
            if (step["parent"]?.GetValue<string>() is { } parent)
            {
                Assert.True(string.CompareOrdinal(byPath[parent]["startedAt"]!.GetValue<string>(), step["startedAt"]!.GetValue<string>()) <= 0, step["path"]!.GetValue<string>());
            }
        }

        Assert.Equal(["inputTokens", "outputTokens", "cost"], steps[0]!["usage"]!.AsObject().Select(p => p.Key));
        // runs show prints the same report from the store.
        var shown = await _baton.JsonAsync(0, "runs", "show", report["runId"]!.GetValue<string>(), "--json");
        Assert.Equal(Strings(steps, "path"), Strings(shown["steps"]!.AsArray(), "path"));
    }

    [Fact]
    public async Task Plain_progress_names_each_nested_steps_path_and_says_when_an_output_came_from_a_fallback()
    {
        var file = _baton.Write("nested.yaml", Nested);
        var (exit, _, stderr) = await _baton.RunAsync("run", file);
        Assert.Equal(0, exit);
        Assert.Contains("  parallel/first/a: completed", stderr);
        Assert.Contains("  states/analyze#2: completed", stderr);
        Assert.DoesNotContain("inputs", stderr);

        var (fallbackExit, stdout, fallbackErr) = await _baton.RunAsync("run", CommandTests.Sample("fallback.yaml"));
        Assert.Equal(0, fallbackExit);
        Assert.StartsWith("Backup summary", stdout);
        Assert.Contains("  primary-writer: attempt 1 failed (the model 'primary' answered call 1 with HTTP 500); retrying in", fallbackErr);
        Assert.Contains("  backup-writer: started (onError fallback for primary-writer)", fallbackErr);
        Assert.Contains("(output from the onError fallback for primary-writer)", fallbackErr);
        Assert.DoesNotContain("gather: started (onError", fallbackErr);
    }

    [Fact]
    public async Task A_waiting_run_shows_its_question_and_runs_show_exits_3()
    {
        var (exit, _, stderr) = await _baton.RunAsync("run", CommandTests.Sample("approval.yaml"));
        Assert.Equal(3, exit);
        var runId = stderr.Split(' ')[1];

        var shown = await _baton.JsonAsync(3, "runs", "show", runId, "--json");

        Assert.Equal("waiting", shown["status"]!.GetValue<string>());
        var ask = shown["steps"]!.AsArray().Single(s => s!["status"]!.GetValue<string>() == "waiting")!;
        Assert.Equal(("ask", "ask", (string?)null), (ask["id"]!.GetValue<string>(), ask["path"]!.GetValue<string>(), ask["parent"]?.GetValue<string>()));
        Assert.StartsWith("Publish 'Draft of the Q3 release notes", ask["question"]!.GetValue<string>());
        Assert.Equal(3, (await _baton.RunAsync("runs", "show", runId)).Exit);
    }

    [Fact]
    public async Task History_numbers_every_journal_entry_with_its_path_status_output_and_state_written()
    {
        var file = _baton.Write("nested.yaml", Nested);
        var report = await _baton.JsonAsync(0, "run", file, "--json");
        var runId = report["runId"]!.GetValue<string>();

        var (exit, stdout, _) = await _baton.RunAsync("runs", "history", runId, "--json");

        Assert.Equal(0, exit);
        var entries = JsonNode.Parse(stdout)!.AsArray();
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(n => (long)n), entries.Select(e => e!["sequence"]!.GetValue<long>()));
        Assert.All(entries, e => Assert.Equal(["sequence", "kind", "path", "status", "output", "state"], e!.AsObject().Select(p => p.Key)));
        Assert.Equal("runStarted", entries[0]!["kind"]!.GetValue<string>());
        Assert.Equal(("runSucceeded", "succeeded", "A"), (entries[^1]!["kind"]!.GetValue<string>(), entries[^1]!["status"]!.GetValue<string>(), entries[^1]!["output"]!.GetValue<string>()));
        var set = entries.Single(e => e!["path"]?.GetValue<string>() == "states/count/set")!;
        Assert.Equal(("stepCompleted", "succeeded", 1), (set["kind"]!.GetValue<string>(), set["status"]!.GetValue<string>(), set["state"]!["n"]!.GetValue<int>()));
        Assert.Contains(entries, e => e!["path"]?.GetValue<string>() == "states/analyze#2");

        var (textExit, text, _) = await _baton.RunAsync("runs", "history", runId);
        Assert.Equal(0, textExit);
        var lines = text.TrimEnd().Split('\n');
        Assert.Equal(entries.Count + 1, lines.Length);
        Assert.Matches(@"^\s+#\s+kind\s+path\s+status\s+output\s+state written$", lines[0]);
        Assert.Matches(@"^\s+\d+\s+stepCompleted\s+states/count/set\s+succeeded\s+A\s+\{""n"":1\}$", lines.Single(l => l.Contains("states/count/set", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Fork_continues_from_an_entry_with_edited_state_and_leaves_the_old_run_alone()
    {
        var file = _baton.Write("fork.yaml", """
            version: 1
            name: fork
            inputs:
              topic: { type: string, default: "cats" }
            agents:
              pick: { template: "{{ inputs.topic }}" }
              write: { template: "About {{ state.subject }} ({{ state.extra.n }})" }
            workflow:
              sequential:
                - { agent: pick, as: subject }
                - write
            """);
        var original = await _baton.JsonAsync(0, "run", file, "--json");
        var runId = original["runId"]!.GetValue<string>();
        Assert.Equal("About cats ()", original["output"]!.GetValue<string>());
        var history = JsonNode.Parse((await _baton.RunAsync("runs", "history", runId, "--json")).Stdout)!.AsArray();
        var pick = history.Single(e => e!["path"]?.GetValue<string>() == "pick")!["sequence"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var (exit, stdout, stderr) = await _baton.RunAsync("runs", "fork", runId, "--at", pick, "--set", "subject=dogs", "--set", "extra={\"n\": 2}", "--json");

        Assert.True(exit == 0, stderr);
        Assert.Matches($"^run [0-9a-f]+ started \\(forked from {runId} at entry {pick}\\)", stderr);
        var fork = JsonNode.Parse(stdout)!.AsObject();
        Assert.NotEqual(runId, fork["runId"]!.GetValue<string>());
        Assert.Equal("About dogs (2)", fork["output"]!.GetValue<string>());
        // The step before the fork point is kept as it was, not run again.
        Assert.Equal(original["steps"]![0]!["startedAt"]!.GetValue<string>(), fork["steps"]![0]!["startedAt"]!.GetValue<string>());
        Assert.Equal("About cats ()", (await _baton.JsonAsync(0, "runs", "show", runId, "--json"))["output"]!.GetValue<string>());

        var (badExit, _, badErr) = await _baton.RunAsync("runs", "fork", runId, "--at", "999");
        Assert.Equal(2, badExit);
        Assert.StartsWith("baton: --at 999 is past the end of the journal", badErr);
        Assert.Equal(2, (await _baton.RunAsync("runs", "fork", runId)).Exit); // --at is required
    }
}
