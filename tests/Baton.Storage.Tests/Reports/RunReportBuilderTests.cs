using Baton.Reports;
using Baton.Storage;

namespace Baton.Storage.Tests.Reports;

/// <summary>The core's run report, built from a journal written by hand: paths, parents, visits, composites in flight, questions.</summary>
public sealed class RunReportBuilderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 31, 9, 30, 0, TimeSpan.Zero);

    private readonly InMemoryRunStore _store = new();

    private static JournalEntry Done(string key, int second, string output = "ok", JournalEntryKind kind = JournalEntryKind.StepCompleted) => new()
    {
        Kind = kind,
        Key = key,
        StepId = ReportPath.StepIdOf(key),
        Payload = kind == JournalEntryKind.StepCompleted ? Payload.FromText(output) : null,
        Error = kind == JournalEntryKind.StepFailed ? new StepError(ErrorKind.Recoverable, "it broke", ReportPath.StepIdOf(key)) { Code = "broke" } : null,
        Attempts = 1,
        Usage = new Usage(2, 1, 0.5m),
        StartedAt = T0.AddSeconds(second),
        Timestamp = T0.AddSeconds(second + 1),
    };

    private async Task<RunLease> RunAsync(string runId, RunStatus status, params JournalEntry[] entries)
    {
        var lease = await _store.CreateRunAsync(new RunRecord { RunId = runId, Workflow = "flow", Status = status, StartedAt = T0 }, "me", TimeSpan.FromMinutes(1),
            [new JournalEntry { Kind = JournalEntryKind.RunStarted, Payload = Payload.FromText("in"), Timestamp = T0 }, .. entries]);
        return lease;
    }

    [Fact]
    public async Task Paths_join_ids_and_child_names_number_repeat_visits_and_name_the_parent()
    {
        await RunAsync("r", RunStatus.Succeeded,
            Done("1:inputs", 0),
            Done("2:parallel/first/1:a", 1), Done("2:parallel/second/1:b", 1), Done("2:parallel", 1),
            Done("3:states/1:analyze", 3), Done("3:states/2:count/1:set", 4), Done("3:states/2:count", 4), Done("3:states/3:analyze", 5), Done("3:states/4:count/1:set", 6),
            Done("3:states/4:count", 6), Done("3:states/5:analyze", 7), Done("3:states", 3),
            new JournalEntry { Kind = JournalEntryKind.RunSucceeded, Payload = Payload.FromText("done"), Timestamp = T0.AddSeconds(9) });

        var report = await new RunReportBuilder(_store) { HiddenKeys = ["1:inputs"] }.BuildAsync("r");

        Assert.Equal(["parallel", "parallel/first/a", "parallel/second/b", "states", "states/analyze", "states/count", "states/count/set", "states/analyze#2", "states/count#2", "states/count#2/set", "states/analyze#3"],
            report.Steps.Select(s => s.Path));
        Assert.Equal([null, "parallel", "parallel", null, "states", "states", "states/count", "states", "states", "states/count#2", "states"], report.Steps.Select(s => s.Parent));
        Assert.Equal("analyze", report.Steps[^1].Id);
        Assert.Equal(("done", RunStatus.Succeeded, "flow"), (report.Output!.AsText(), report.Status, report.Workflow));
        // Every entry's usage counts for the run, the hidden step's too; each step keeps its own.
        Assert.Equal(new Usage(24, 12, 6m), report.Usage);
        Assert.Equal(new Usage(2, 1, 0.5m), report.Steps[0].Usage);
        var json = report.ToJson();
        Assert.Equal(["runId", "workflow", "status", "output", "steps", "usage", "children", "error"], json.Select(p => p.Key));
        Assert.Equal("2026-01-31T09:30:01.000Z", json["steps"]![0]!["startedAt"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_composite_in_flight_appears_running_from_its_first_childs_start_and_a_waiting_step_has_its_question()
    {
        await RunAsync("w", RunStatus.Waiting, Done("1:route/try1/1:a", 4), Done("1:route/validate1/1:validate", 5, kind: JournalEntryKind.StepFailed), Done("1:route/try2/1:b", 3));
        await _store.SaveHumanRequestAsync(new HumanRequest
        {
            Id = "q1", RunId = "w", StepKey = "1:route/try2/2:ask#2", Prompt = "Which one?", Choices = [], CreatedAt = T0.AddSeconds(8),
        });

        var report = await new RunReportBuilder(_store).BuildAsync("w");

        var route = report.Steps[0];
        Assert.Equal(("route", "running", T0.AddSeconds(3), (DateTimeOffset?)null, 0), (route.Path, route.Status, route.StartedAt, route.EndedAt, route.Attempts));
        Assert.Equal(["route", "route/try2/b", "route/try1/a", "route/validate1/validate", "route/try2/ask"], report.Steps.Select(s => s.Path));
        var ask = report.Steps[^1];
        Assert.Equal(("waiting", "Which one?", "route", "ask"), (ask.Status, ask.Question, ask.Parent, ask.Id));
        Assert.Equal("Which one?", ask.ToJson()["question"]!.GetValue<string>());
        Assert.False(report.Steps[0].ToJson().ContainsKey("question"));
        var failed = report.Steps.Single(s => s.Path == "route/validate1/validate");
        Assert.Equal(("failed", "it broke", "broke"), (failed.Status, failed.Error!.Message, failed.Error.Code));
        Assert.Null(failed.Output);
    }

    [Fact]
    public async Task A_child_run_again_under_the_same_key_is_one_step_from_its_first_start_to_its_last_end()
    {
        var lease = await RunAsync("c", RunStatus.Cancelled, Done("1:fan/x/1:a", 1, kind: JournalEntryKind.StepFailed), Done("1:fan/x/1:a", 4, "second time"));
        await _store.AppendAsync(lease, new JournalEntry { Kind = JournalEntryKind.RunCancelled, Error = new StepError(ErrorKind.Fatal, "the run was cancelled") { Code = "cancelled" }, Timestamp = T0.AddSeconds(6) });

        var report = await new RunReportBuilder(_store).BuildAsync("c");

        var a = Assert.Single(report.Steps, s => s.Path == "fan/x/a");
        Assert.Equal(("succeeded", T0.AddSeconds(1), T0.AddSeconds(5), "second time", new Usage(4, 2, 1m)), (a.Status, a.StartedAt, a.EndedAt, a.Output!.AsText(), a.Usage));
        // The composite never ended: the run was cancelled while it ran.
        Assert.Equal("cancelled", report.Steps.Single(s => s.Path == "fan").Status);
        Assert.Equal("cancelled", report.Error!.Code);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => new RunReportBuilder(_store).BuildAsync("no-such-run"));
    }

    [Fact]
    public async Task Child_runs_are_reported_oldest_first_under_their_parent()
    {
        await RunAsync("parent", RunStatus.Succeeded, Done("1:emit", 0));
        foreach (var (id, second) in new[] { ("child-1", 1), ("child-2", 2) })
        {
            await _store.CreateRunAsync(new RunRecord { RunId = id, Workflow = "sub", Status = RunStatus.Succeeded, StartedAt = T0.AddSeconds(second), ParentRunId = "parent" }, "me", TimeSpan.FromMinutes(1));
        }

        var report = await new RunReportBuilder(_store).BuildAsync("parent");

        Assert.Equal(["child-1", "child-2"], report.Children.Select(c => c.RunId));
        Assert.Empty((await new RunReportBuilder(_store) { MaxChildDepth = 0 }.BuildAsync("parent")).Children);
    }

    [Theory]
    [InlineData("2:parallel/first/1:a", "2:parallel", "a")]
    [InlineData("3:foreach/2:each/0/1:up", "3:foreach/2:each", "up")]
    [InlineData("6:states/2:count/1:set", "6:states/2:count", "set")]
    [InlineData("1:top", null, "top")]
    public void The_key_grammar_is_read_in_one_place(string key, string? parent, string id)
    {
        Assert.Equal(parent, ReportPath.ParentKey(key));
        Assert.Equal(id, ReportPath.StepIdOf(key));
        Assert.Throws<FormatException>(() => ReportPath.StepIdOf("2:parallel/first"));
        Assert.Throws<FormatException>(() => new ReportPath().Observe("1:a//2:b"));
    }
}
