using Baton.Reports;
using System.Text.Json;

namespace Baton.Tests.Teams;

public sealed class TeamTests
{
    private static Payload Next(string member, string instruction, string? plan = null) =>
        Payload.From(new { next = member, instruction, plan });

    private static Payload Done(string answer) => Payload.From(new { next = "done", answer });

    private static Transcript Seen(ScriptedAgent agent, int call) => Transcript.FromPayload(agent.Calls[call].Input);

    [Fact]
    public async Task The_manager_assigns_members_reads_their_output_and_answers()
    {
        using var script = new AgentScript();
        var manager = script.Agent("manager")
            .Returns(Next("researcher", "find sources", plan: "1. research 2. write"))
            .Returns(Next("writer", "write it up"))
            .Returns(Done("the report"));
        var researcher = script.Agent("researcher").Returns("three sources");
        var writer = script.Agent("writer").Returns("a draft");
        var workflow = new TeamBuilder("team").Manager(manager).Members(researcher, writer).Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "AI agents");

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("the report", result.Output!.AsText());
        // The writer sees the task and the conversation so far, ending with its instruction.
        var writerSaw = Seen(writer, 0);
        Assert.Equal("AI agents", writerSaw.Task.AsText());
        Assert.Equal(
            [("manager", "To researcher: find sources"), ("researcher", "three sources"), ("manager", "To writer: write it up")],
            writerSaw.Messages.Select(m => (m.From, m.Text)));
        Assert.Equal("write it up", writer.Calls[0].Input.AsJson().GetProperty("instruction").GetString());
        // The manager's third turn saw both outputs, its plan and its ledger.
        var third = manager.Calls[2].Input.AsJson();
        Assert.Equal("1. research 2. write", third.GetProperty("plan").GetString());
        Assert.Equal(2, third.GetProperty("ledger").GetArrayLength());
        Assert.Equal(["researcher", "writer"], third.GetProperty("members").EnumerateArray().Select(m => m.GetString()));
        Assert.Contains(Seen(manager, 2).Messages, m => m is { From: "writer", Text: "a draft" });
        Assert.Equal(TeamStep.TeamSpeaker, Seen(manager, 0).Messages[0].From);
    }

    [Fact]
    public async Task Each_turn_is_a_step_of_its_own_named_after_its_agent()
    {
        using var script = new AgentScript();
        var manager = script.Agent("manager").Returns(Next("researcher", "go")).Returns(Done("ok"));
        var researcher = script.Agent("researcher").Returns("found");
        var workflow = new TeamBuilder("team").Manager(manager).Members(researcher).Build();
        await using var runtime = new BatonRuntime();
        var run = runtime.Start(workflow, "task");
        await run.Completion;

        var report = await new RunReportBuilder(runtime.Store).BuildAsync(run.RunId, workflow);

        Assert.Equal(["team", "team/1/manager", "team/2/researcher", "team/3/manager"], report.Steps.Select(s => s.Path));
        Assert.Equal(["team", "manager", "researcher", "manager"], report.Steps.Select(s => s.Id));
        Assert.All(report.Steps.Skip(1), s => Assert.Equal("team", s.Parent));
    }

    [Fact]
    public async Task A_manager_naming_a_non_member_is_told_so_and_asked_again()
    {
        using var script = new AgentScript();
        var manager = script.Agent("manager")
            .Returns(Next("reseacher", "go"))
            .Returns(Payload.FromText("I think the researcher should go"))
            .Returns(Payload.FromText("```json\n{\"next\": \"researcher\", \"instruction\": \"go\"}\n```"))
            .Returns(Done("ok"));
        var researcher = script.Agent("researcher").Returns("found");
        var workflow = new TeamBuilder("team").Manager(manager).Members(researcher).Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "task");

        Assert.Equal("ok", result.Output!.AsText());
        var second = Seen(manager, 1).Messages[^1];
        Assert.Equal(TeamStep.TeamSpeaker, second.From);
        Assert.Contains("'reseacher' is not a member of the team (members: researcher) (did you mean 'researcher'?)", second.Text, StringComparison.Ordinal);
        Assert.Contains("not a JSON object", Seen(manager, 2).Messages[^1].Text, StringComparison.Ordinal);
        var ledger = manager.Calls[3].Input.AsJson().GetProperty("ledger");
        Assert.StartsWith("refused: ", ledger[0].GetProperty("status").GetString(), StringComparison.Ordinal);
        Assert.Equal("answered", ledger[2].GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("{\"next\": \"done\"}", "\"next\": \"done\" needs an \"answer\"")]
    [InlineData("{\"next\": \"researcher\"}", "gives no \"instruction\"")]
    [InlineData("{\"instruction\": \"go\"}", "has no \"next\"")]
    public async Task An_invalid_reply_goes_back_with_the_reason(string reply, string reason)
    {
        using var script = new AgentScript();
        var manager = script.Agent("manager").Returns(Payload.ParseJson(reply)).Returns(Done("ok"));
        var researcher = script.Agent("researcher");
        var workflow = new TeamBuilder("team").Manager(manager).Members(researcher).Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "task");

        Assert.Equal("ok", result.Output!.AsText());
        Assert.Contains(reason, Seen(manager, 1).Messages[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_member_and_instruction_twice_is_not_run_again_and_the_manager_re_plans()
    {
        using var script = new AgentScript();
        var manager = script.Agent("manager")
            .Returns(Next("researcher", "search"))
            .Returns(Next("researcher", "search"))
            .Returns(Next("researcher", "search the archive", plan: "use the archive"))
            .Returns(Done("ok"));
        var researcher = script.Agent("researcher").Returns("nothing").Returns("archive results");
        var workflow = new TeamBuilder("team").Manager(manager).Members(researcher).Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "task");

        Assert.Equal("ok", result.Output!.AsText());
        Assert.Equal(2, researcher.CallCount);
        var replanning = manager.Calls[2].Input.AsJson();
        Assert.True(replanning.GetProperty("replan").GetBoolean());
        Assert.Contains("Progress stalled: 'researcher' was given the same instruction twice in a row", Seen(manager, 2).Messages[^1].Text, StringComparison.Ordinal);
        Assert.False(manager.Calls[3].Input.AsJson().GetProperty("replan").GetBoolean());
    }

    [Fact]
    public async Task A_member_that_fails_makes_the_manager_re_plan_with_the_error()
    {
        using var script = new AgentScript();
        var manager = script.Agent("manager")
            .Returns(Next("scraper", "scrape the site"))
            .Returns(Next("researcher", "use the cache"))
            .Returns(Done("from the cache"));
        var scraper = script.Agent("scraper").Fails(ErrorKind.Fatal, "site is down");
        var researcher = script.Agent("researcher").Returns("cached");
        var workflow = new TeamBuilder("team").Manager(manager).Members(scraper, researcher).Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "task");

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("from the cache", result.Output!.AsText());
        var second = manager.Calls[1].Input.AsJson();
        Assert.True(second.GetProperty("replan").GetBoolean());
        Assert.Equal("failed: site is down", second.GetProperty("ledger")[0].GetProperty("status").GetString());
        Assert.Contains("'scraper' failed: site is down", Seen(manager, 1).Messages[^1].Text, StringComparison.Ordinal);
        // The failed attempt is not part of the members' conversation.
        Assert.Equal([("manager", "To researcher: use the cache")], Seen(researcher, 0).Messages.Select(m => (m.From, m.Text)));
    }

    [Fact]
    public async Task More_rounds_than_allowed_fail_with_round_limit()
    {
        using var script = new AgentScript();
        var round = 0;
        var manager = script.Agent("manager").ThenAlways(_ => Next("researcher", $"look again ({++round})"));
        var researcher = script.Agent("researcher").ThenAlways(_ => "more");
        var workflow = new TeamBuilder("team").Manager(manager).Members(researcher).MaxRounds(3).Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "task");

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("round_limit", result.Error!.Code);
        Assert.Contains("no answer within 3 round(s)", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal((3, 3), (manager.CallCount, researcher.CallCount));
    }

    [Fact]
    public async Task A_manager_that_fails_fails_the_team()
    {
        using var script = new AgentScript();
        var manager = script.Agent("manager").Fails(ErrorKind.Fatal, "model unavailable");
        var workflow = new TeamBuilder("team").Manager(manager).Members(script.Agent("researcher")).Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "task");

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("model unavailable", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_resumed_team_re_runs_no_completed_turn()
    {
        var crashed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var managerCalls = 0;
        var researcherCalls = 0;
        var writerCalls = 0;
        var writerDies = true;
        var manager = Agent.Create("manager", input =>
        {
            Interlocked.Increment(ref managerCalls);
            var ledger = input.AsJson().GetProperty("ledger").GetArrayLength();
            return ledger switch
            {
                0 => Next("researcher", "search"),
                1 => Next("writer", "write"),
                _ => Done("final: " + Transcript.FromPayload(input).Messages[^1].Text),
            };
        });
        var researcher = Agent.Create("researcher", _ =>
        {
            Interlocked.Increment(ref researcherCalls);
            return Payload.FromText("sources");
        });
        var writer = Agent.Create("writer", async (input, context, ct) =>
        {
            Interlocked.Increment(ref writerCalls);
            if (writerDies)
            {
                writerDies = false;
                crashed.SetResult();
                await Task.Delay(Timeout.Infinite, ct); // the process "dies" while the writer is in flight
            }

            return AgentResult.Success("draft");
        });
        var workflow = new TeamBuilder("team").Manager(manager).Members(researcher, writer).Build();
        await using var first = new BatonRuntime();
        var doomed = first.Start(workflow, "task");
        await crashed.Task;

        // What a crash leaves: the run's start and the first three turns' completions (manager, researcher, manager).
        var store = await JournalCopy.PrefixAsync(first.Store, doomed.RunId, 4);
        doomed.Cancel();
        await using var second = new BatonRuntime(new BatonOptions { Store = store });
        var resumed = await (await second.ResumeAsync(doomed.RunId, workflow)).Completion;

        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        Assert.Equal("final: draft", resumed.Output!.AsText());
        Assert.Equal((3, 1, 2), (managerCalls, researcherCalls, writerCalls));
    }

    [Fact]
    public async Task A_member_waiting_for_a_person_suspends_the_team_and_the_answer_continues_it()
    {
        using var script = new AgentScript();
        var manager = script.Agent("manager").Returns(Next("editor", "approve?")).Returns(Done("published"));
        var editor = Agent.Create("editor", async (input, context, ct) => AgentResult.Success(await context.AskAsync(new HumanQuestion("Publish?"), ct)));
        var workflow = new TeamBuilder("team").Manager(manager).Members(editor).Build();
        await using var runtime = new BatonRuntime();
        var run = runtime.Start(workflow, "task");
        await foreach (var e in run.WatchAsync())
        {
            if (e is StepWaitingForHumanEvent waiting)
            {
                await runtime.Humans.AnswerAsync(waiting.Request.Id, "yes");
                break;
            }
        }

        var result = await run.Completion;

        Assert.Equal("published", result.Output!.AsText());
        Assert.Equal("yes", Seen(manager, 1).Messages[^1].Text);
    }

    [Fact]
    public async Task Cancelling_the_run_cancels_the_member_in_flight_and_the_team()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var script = new AgentScript();
        var manager = script.Agent("manager").Returns(Next("researcher", "search forever"));
        var researcher = script.Agent("researcher").BlocksUntilCancelled(started);
        var workflow = new TeamBuilder("team").Manager(manager).Members(researcher).Build();
        await using var runtime = new BatonRuntime();
        var run = runtime.Start(workflow, "task");
        await started.Task;

        run.Cancel();
        var result = await run.Completion;

        Assert.Equal(RunStatus.Cancelled, result.Status);
        Assert.Equal(1, manager.CallCount);
    }

    [Fact]
    public void A_team_refuses_reserved_and_duplicate_member_names()
    {
        var manager = Agent.Create("manager", _ => "x");
        Assert.Throws<ArgumentException>(() => new TeamStep("t", manager, [Agent.Create("done", _ => "x")]));
        Assert.Throws<ArgumentException>(() => new TeamStep("t", manager, [Agent.Create("a", _ => "x"), Agent.Create("a", _ => "y")]));
        Assert.Throws<ArgumentException>(() => new TeamStep("t", manager, [manager]));
        Assert.Throws<InvalidOperationException>(() => new TeamBuilder("t").Manager(manager).Build());
    }
}
