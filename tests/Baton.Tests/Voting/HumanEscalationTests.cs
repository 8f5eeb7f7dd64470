namespace Baton.Tests.Voting;

public sealed class HumanEscalationTests
{
    private static IAgent Says(string name, string answer) => Agent.Create(name, _ => Payload.FromText(answer));

    /// <summary>Waits until the run asks a person.</summary>
    internal static async Task<StepWaitingForHumanEvent> WaitingAsync(RunHandle run)
    {
        await foreach (var e in run.WatchAsync().WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token))
        {
            if (e is StepWaitingForHumanEvent waiting) return waiting;
        }

        throw new InvalidOperationException("the run ended without asking anyone");
    }

    [Fact]
    public async Task Disagreeing_voters_escalate_to_a_person_whose_answer_the_vote_outputs()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var after = Agent.Create("after", async (input, _, ct) =>
        {
            started.SetResult();
            await gate.Task.WaitAsync(ct);
            return AgentResult.Success(input);
        });
        var vote = new VoteBuilder("vote")
            .Voters(Says("optimist", "ship it"), Says("pessimist", "hold"), Says("realist", "Hold "))
            .Strategy(VoteStrategy.Human)
            .HumanPrompt("Ship the release?")
            .BuildStep();
        var workflow = new SequentialBuilder("release").Then(vote).Then(after).Build();
        await using var runtime = new BatonRuntime();
        var run = runtime.Start(workflow, "release 2.1");

        var waiting = await WaitingAsync(run);
        var request = Assert.Single(runtime.Humans.Pending);
        var waitingStatus = (await runtime.Store.GetRunAsync(run.RunId))!.Status;
        var rejected = await runtime.Humans.AnswerAsync(request.Id, "maybe");
        var stillOpen = runtime.Humans.Find(request.Id);
        var accepted = await runtime.Humans.AnswerAsync(request.Id, " HOLD");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var runningStatus = (await runtime.Store.GetRunAsync(run.RunId))!.Status;
        gate.SetResult();
        var result = await run.Completion;

        Assert.Equal(request, waiting.Request);
        Assert.Equal("1:vote/human/1:human", waiting.Key);
        Assert.Equal((run.RunId, "Ship the release?"), (request.RunId, request.Prompt));
        Assert.Equal(["ship it", "hold"], request.Choices);
        var details = request.Details!.AsJson();
        Assert.Equal("release 2.1", details.GetProperty("question").GetString());
        Assert.Equal(3, details.GetProperty("answers").GetArrayLength());
        Assert.Equal(RunStatus.Waiting, waitingStatus);
        Assert.False(rejected.Accepted);
        Assert.Equal("'maybe' is not one of the choices: 'ship it', 'hold'", rejected.Reason);
        Assert.Equal(request, stillOpen);
        Assert.True(accepted.Accepted);
        Assert.Equal(RunStatus.Running, runningStatus);
        Assert.Equal("hold", result.Output!.AsText());
        Assert.Empty(runtime.Humans.Pending);
        Assert.Equal(RunStatus.Succeeded, (await runtime.Store.GetRunAsync(run.RunId))!.Status);
    }

    [Fact]
    public async Task Voters_that_agree_need_no_person()
    {
        var workflow = new VoteBuilder("vote").Voters(Says("a", "hold"), Says("b", "HOLD")).Strategy(VoteStrategy.Human).Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "ship?");

        Assert.Equal("hold", result.Output!.AsText());
    }

    [Fact]
    public async Task Cancelling_the_run_withdraws_the_question()
    {
        var workflow = new VoteBuilder("vote").Voters(Says("a", "yes"), Says("b", "no")).Strategy(VoteStrategy.Human).Build();
        await using var runtime = new BatonRuntime();
        var run = runtime.Start(workflow, "ship?");
        var waiting = await WaitingAsync(run);

        run.Cancel();
        var result = await run.Completion;
        var late = await runtime.Humans.AnswerAsync(waiting.Request.Id, "yes");

        Assert.Equal(RunStatus.Cancelled, result.Status);
        Assert.Empty(runtime.Humans.Pending);
        Assert.False(late.Accepted);
        Assert.Equal($"request '{waiting.Request.Id}' is no longer open: it was withdrawn", late.Reason);
        Assert.Equal(HumanRequestStatus.Withdrawn, (await runtime.Store.GetHumanRequestAsync(waiting.Request.Id))!.Status);
        Assert.Equal(RunStatus.Cancelled, (await runtime.Store.GetRunAsync(run.RunId))!.Status);
    }

    [Fact]
    public async Task A_resumed_vote_replays_its_voters_and_asks_again()
    {
        using var script = new AgentScript();
        var a = script.Agent("a").Returns("yes");
        var b = script.Agent("b").Returns("no");
        var workflow = new VoteBuilder("vote").Voters(a, b).OnTie(VoteTieRule.Human).Build();
        await using var runtime = new BatonRuntime();
        var first = runtime.Start(workflow, "ship?", new RunOptions { RunId = "ask-1" });
        await WaitingAsync(first);
        first.Cancel();
        await first.Completion;
        await Durability.Interrupted.MarkAsync(runtime.Store, "ask-1");

        var second = await runtime.ResumeAsync("ask-1", workflow);
        var waiting = await WaitingAsync(second);
        await runtime.Humans.AnswerAsync(waiting.Request.Id, "no");
        var result = await second.Completion;

        Assert.Equal("no", result.Output!.AsText());
        Assert.Equal((1, 1), (a.CallCount, b.CallCount));
    }

    [Fact]
    public async Task Two_questions_in_one_run_keep_it_waiting_until_both_are_answered()
    {
        var workflow = new ParallelBuilder("both")
            .Branch("left", new VoteBuilder("left").Voters(Says("a", "1"), Says("b", "2")).Strategy(VoteStrategy.Human).Build())
            .Branch("right", new VoteBuilder("right").Voters(Says("c", "3"), Says("d", "4")).Strategy(VoteStrategy.Human).Build())
            .Build();
        await using var runtime = new BatonRuntime();
        var run = runtime.Start(workflow, "pick");
        await using var events = run.WatchAsync().GetAsyncEnumerator();
        async Task<T> NextAsync<T>(Func<T, bool> match)
            where T : RunEvent
        {
            while (await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)))
            {
                if (events.Current is T e && match(e)) return e;
            }

            throw new InvalidOperationException($"the run ended before a {typeof(T).Name}");
        }

        var asked = new List<StepWaitingForHumanEvent> { await NextAsync<StepWaitingForHumanEvent>(_ => true), await NextAsync<StepWaitingForHumanEvent>(_ => true) };
        var first = asked.Single(w => w.Request.Choices.Contains("1"));
        var second = asked.Single(w => w.Request.Choices.Contains("3"));
        await runtime.Humans.AnswerAsync(first.Request.Id, "2");
        // The left branch's question step completes only after its request left the pending list and the run's
        // status was updated: every left step before it completed before the branch asked.
        await NextAsync<StepCompletedEvent>(e => e.Key.Contains("/left/", StringComparison.Ordinal));
        Assert.Equal(second.Request.Id, Assert.Single(runtime.Humans.Pending).Id);
        var stillWaiting = (await runtime.Store.GetRunAsync(run.RunId))!.Status;
        await runtime.Humans.AnswerAsync(second.Request.Id, "3");
        var result = await run.Completion;

        Assert.Equal(RunStatus.Waiting, stillWaiting);
        Assert.Equal("""["2","3"]""", result.Output!.AsText());
    }

    [Fact]
    public async Task A_question_without_choices_takes_any_answer_but_an_empty_one()
    {
        await using var runtime = new BatonRuntime();
        var asker = Agent.Create("asker", async (input, context, ct) => AgentResult.Success(Payload.FromText(await context.AskAsync(new HumanQuestion("Why?"), ct))));
        var run = runtime.Start(SequentialBuilder.Create("why", asker), "x");
        var asking = run.Completion.ContinueWith(t => t.Result.Output!.AsText(), TaskScheduler.Default);
        // The step waits in memory from the moment the run says it waits for a person.
        var request = (await WaitingAsync(run)).Request;
        Assert.Equal(request, Assert.Single(runtime.Humans.Pending));

        var empty = await runtime.Humans.AnswerAsync(request.Id, "  ");
        var accepted = await runtime.Humans.AnswerAsync(request.Id, "because");
        var twice = await runtime.Humans.AnswerAsync(request.Id, "again");

        Assert.Equal("the answer is empty", empty.Reason);
        Assert.True(accepted.Accepted);
        Assert.Equal("because", await asking);
        Assert.False(twice.Accepted);
        Assert.Empty(request.Choices);
    }
}
