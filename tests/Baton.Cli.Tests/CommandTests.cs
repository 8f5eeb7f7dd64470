using System.Text.Json.Nodes;

namespace Baton.Cli.Tests;

/// <summary>The <c>baton</c> command as a user runs it: a child process, its exit code, stdout and stderr.</summary>
public sealed class CommandTests : IDisposable
{
    private readonly BatonCommand _baton = new();

    public void Dispose() => _baton.Dispose();

    internal static string Sample(string name)
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        return Path.Combine(here.Parent!.Parent!.Parent!.Parent!.Parent!.FullName, "samples", "workflows", name);
    }

    [Fact]
    public async Task The_formats_first_file_prints_its_report()
    {
        var (exit, stdout, stderr) = await _baton.RunAsync("run", Sample("report.yaml"), "--input", "topic=AI agents");

        Assert.Equal(0, exit);
        Assert.Equal("Report: adoption of AI agents is rising.", stdout.TrimEnd());
        Assert.Matches("^run [0-9a-f]+ started", stderr);
        Assert.True(File.Exists(Path.Combine(_baton.Folder, ".baton", "baton.db")), "the default store is .baton/baton.db under the current folder");
    }

    [Fact]
    public void The_sample_is_the_formats_first_file_as_written()
    {
        // The design documents sit beside the repository (shared/); in a checkout without them there is nothing to compare.
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        var spec = Path.Combine(here.Parent!.Parent!.Parent!.Parent!.Parent!.Parent!.FullName, "shared", "WORKFLOW-FORMAT.md");
        if (!File.Exists(spec)) return;
        var text = File.ReadAllText(spec);
        var start = text.IndexOf("```yaml\n", StringComparison.Ordinal) + "```yaml\n".Length;
        Assert.Equal(text[start..text.IndexOf("```", start, StringComparison.Ordinal)], File.ReadAllText(Sample("report.yaml")));
    }

    [Fact]
    public async Task Json_output_has_exactly_the_formats_shape()
    {
        var report = await _baton.JsonAsync(0, "run", Sample("report.yaml"), "--json");

        Assert.Equal(["runId", "workflow", "status", "output", "steps", "usage", "children", "error"], report.Select(p => p.Key));
        Assert.Equal("succeeded", report["status"]!.GetValue<string>());
        var steps = report["steps"]!.AsArray();
        Assert.Equal(["researcher", "analyst", "writer"], steps.Select(s => s!["id"]!.GetValue<string>()));
        Assert.All(steps, s => Assert.Equal(["id", "path", "parent", "agent", "status", "attempts", "startedAt", "endedAt", "output", "error", "usage"], s!.AsObject().Select(p => p.Key)));
        Assert.Equal(["researcher", "analyst", "writer"], steps.Select(s => s!["agent"]!.GetValue<string>()));
        Assert.True(steps[0]!["usage"]!["outputTokens"]!.GetValue<long>() > 0);
        Assert.Equal(0.9, steps[1]!["output"]!["confidence"]!.GetValue<double>());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", steps[0]!["startedAt"]!.GetValue<string>());
        Assert.Equal(["inputTokens", "outputTokens", "cost"], report["usage"]!.AsObject().Select(p => p.Key));
        Assert.True(report["usage"]!["inputTokens"]!.GetValue<long>() > 0);
        Assert.Null(report["error"]);
    }

    [Fact]
    public async Task Validate_prints_every_problem_with_its_position_and_exits_2()
    {
        var file = _baton.Write("bad.yaml", "version: 1\nagents:\n  a: { template: x }\nworkflow:\n  sequential: [a, b]\nlimts: {}\n");

        var (exit, stdout, stderr) = await _baton.RunAsync("validate", file);

        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Equal([$"{file}:5:19: there is no agent 'b'", $"{file}:6:1: unknown key 'limts' in the workflow file; did you mean 'limits'?"],
            stderr.TrimEnd().Split('\n'));
        Assert.Equal(0, (await _baton.RunAsync("validate", Sample("report.yaml"))).Exit);
    }

    [Fact]
    public async Task Graph_prints_a_mermaid_flowchart_with_conditions_labelled()
    {
        var (exit, stdout, _) = await _baton.RunAsync("graph", Sample("research-loop.yaml"));
        Assert.Equal(0, exit);
        Assert.StartsWith("flowchart TD", stdout);
        Assert.Contains("-->|\"confidence #lt; 0.7\"|", stdout); // Mermaid's entity for <, so the label survives the renderer
    }

    [Fact]
    public async Task An_ask_exits_3_a_bad_answer_exits_2_and_a_good_answer_finishes_the_run()
    {
        var (waitingExit, _, waitingErr) = await _baton.RunAsync("run", Sample("approval.yaml"));
        Assert.Equal(3, waitingExit);
        var runId = waitingErr.Split(' ')[1];
        Assert.Contains("is waiting for a person: Publish 'Draft of the Q3 release notes: three features, two fixes.'? (yes/no)", waitingErr);

        var (rejectedExit, _, rejectedErr) = await _baton.RunAsync("runs", "answer", runId, "--value", "  ");
        Assert.Equal(2, rejectedExit);
        Assert.Contains("the answer is empty", rejectedErr);
        Assert.Equal("waiting", (await _baton.JsonAsync(3, "runs", "show", runId, "--json"))["status"]!.GetValue<string>());

        var (exit, stdout, _) = await _baton.RunAsync("runs", "answer", runId, "--value", "yes");
        Assert.Equal(0, exit);
        Assert.Equal("Published after approval (yes).", stdout.TrimEnd());
        var shown = await _baton.JsonAsync(0, "runs", "show", runId, "--json");
        Assert.Equal(["draft", "ask", "decide", "decide/classify/classify", "decide/try1/publish"], shown["steps"]!.AsArray().Select(s => s!["path"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Runs_are_listed_newest_first_and_a_waiting_run_can_be_cancelled()
    {
        await _baton.RunAsync("run", Sample("pipeline.yaml"));
        var (_, _, err) = await _baton.RunAsync("run", Sample("approval.yaml"));
        var waiting = err.Split(' ')[1];

        var list = await _baton.JsonAsync(0, "runs", "list", "--json");
        Assert.Equal(["approval", "pipeline"], list["runs"]!.AsArray().Select(r => r!["workflow"]!.GetValue<string>()));
        Assert.Equal(0, (await _baton.RunAsync("runs", "cancel", waiting)).Exit);
        Assert.Equal("cancelled", (await _baton.JsonAsync(130, "runs", "show", waiting, "--json"))["status"]!.GetValue<string>());
        Assert.Equal(2, (await _baton.RunAsync("runs", "answer", waiting, "--value", "yes")).Exit);
    }

    [Fact]
    public async Task Emitted_events_start_child_runs_that_the_command_waits_for()
    {
        var report = await _baton.JsonAsync(0, "run", Sample("inbox.yaml"), "--json");
        var children = report["children"]!.AsArray().Select(c => c!["output"]!.GetValue<string>()).Order().ToArray();
        Assert.Equal(["Calendar updated: Meeting moved to Friday 10:00, please confirm.", "Notified the team about: Meeting moved to Friday 10:00, please confirm."], children);
    }

    [Theory]
    [InlineData("pipeline.yaml", "Report: most teams now run AI agents in production, helped by falling costs.")]
    [InlineData("parallel-perspectives.yaml", "Go: legal, engineering and finance all agree, with a human in the loop.")]
    [InlineData("manager-desk.yaml", "Refund issued: the duplicate line was removed and a corrected invoice sent.")]
    [InlineData("research-loop.yaml", "Report: with surveys behind it, adoption of AI agents is rising.")]
    [InlineData("voting-panel.yaml", "ship")]
    [InlineData("fallback.yaml", "Backup summary: the primary model was down; the incident was a config push, rolled back in 12 minutes.")]
    public async Task Every_sample_runs_on_the_scripted_model(string sample, string output)
    {
        var (exit, stdout, stderr) = await _baton.RunAsync("run", Sample(sample));
        Assert.True(exit == 0, stderr);
        Assert.Equal(output, stdout.TrimEnd());
    }

    [Fact]
    public async Task Bad_usage_is_one_readable_line_and_exit_2()
    {
        var unknown = await _baton.RunAsync("frobnicate");
        var missing = await _baton.RunAsync("run", "no-such-file.yaml");
        var badInput = await _baton.RunAsync("run", Sample("report.yaml"), "--input", "topik=x");
        var noRun = await _baton.RunAsync("runs", "show", "no-such-run");

        Assert.Equal((2, 2, 2, 2), (unknown.Exit, missing.Exit, badInput.Exit, noRun.Exit));
        Assert.Equal("baton: unknown command 'frobnicate' for 'baton': use run, validate, graph, runs, serve, worker", unknown.Stderr.TrimEnd());
        Assert.Equal("baton: there is no workflow file 'no-such-file.yaml'", missing.Stderr.TrimEnd());
        Assert.Equal("baton: unknown input 'topik'; did you mean 'topic'?; the file declares topic", badInput.Stderr.TrimEnd());
        Assert.DoesNotContain("   at ", noRun.Stderr);
    }
}
