using Baton.Storage;

namespace Baton.Orleans.Tests;

/// <summary>A run waiting for a person continues wherever it is once answered: through the cluster, or through the store.</summary>
public sealed class HumanAnswerTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static Workflow Approval(TaskCompletionSource<string>? decided = null) =>
        new SequentialBuilder("approve-" + Guid.NewGuid().ToString("N")[..8])
            .Then(new AskStep("approve", new HumanQuestion("Publish?", ["yes", "no"])))
            .Then(Agent.Create("decide", (input, _, _) =>
            {
                decided?.TrySetResult(input.AsText());
                return ValueTask.FromResult(AgentResult.Success("decided: " + input.AsText()));
            }), "decide")
            .Build();

    [Fact]
    public async Task An_answer_given_through_the_cluster_continues_the_waiting_run_on_a_worker()
    {
        var workflow = Approval();
        await using var cluster = await TestCluster.StartAsync([workflow]);
        var waiting = await cluster.Baton.RunAsync(workflow, "post").WaitAsync(Bound);
        Assert.Equal(RunStatus.Waiting, waiting.Status);

        Assert.NotNull(await cluster.Baton.AnswerAsync(waiting.RunId, "maybe").WaitAsync(Bound));
        Assert.Null(await cluster.Baton.AnswerAsync(waiting.RunId, "yes").WaitAsync(Bound));
        var state = await cluster.Baton.WaitAsync(waiting.RunId).WaitAsync(Bound);

        Assert.Equal(RunStatus.Succeeded, state.Status);
        var journal = await cluster.Store.ReadJournalAsync(waiting.RunId);
        Assert.Equal("decided: yes", journal.Last(e => e.Kind == JournalEntryKind.StepCompleted).Payload!.AsText());
    }

    [Fact]
    public async Task The_same_answer_given_again_after_it_got_through_is_taken_and_another_is_refused()
    {
        var workflow = Approval();
        await using var cluster = await TestCluster.StartAsync([workflow]);
        var waiting = await cluster.Baton.RunAsync(workflow, "post").WaitAsync(Bound);
        Assert.Null(await cluster.Baton.AnswerAsync(waiting.RunId, "yes").WaitAsync(Bound));
        Assert.Equal(RunStatus.Succeeded, (await cluster.Baton.WaitAsync(waiting.RunId).WaitAsync(Bound)).Status);

        // A client whose first call got through but whose reply was lost calls again with the same answer.
        var again = await cluster.Baton.AnswerAsync(waiting.RunId, "yes").WaitAsync(Bound);
        var other = await cluster.Baton.AnswerAsync(waiting.RunId, "no").WaitAsync(Bound);

        Assert.Null(again);
        Assert.Equal($"run '{waiting.RunId}' is not waiting for an answer", other);
        var journal = await cluster.Store.ReadJournalAsync(waiting.RunId);
        Assert.Single(journal, e => e.Kind == JournalEntryKind.StepCompleted && e.StepId == "decide");
        Assert.Equal("decided: yes", journal.Last(e => e.Kind == JournalEntryKind.StepCompleted).Payload!.AsText());
    }

    [Fact]
    public async Task An_answer_written_to_the_store_alone_is_found_by_the_sweep_which_continues_the_run()
    {
        var decided = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var workflow = Approval(decided);
        await using var cluster = await TestCluster.StartAsync([workflow], sweepInterval: TimeSpan.FromMilliseconds(200));
        var waiting = await cluster.Baton.RunAsync(workflow, "post").WaitAsync(Bound);
        Assert.Equal(RunStatus.Waiting, waiting.Status);
        var request = Assert.Single(await cluster.Store.ListHumanRequestsAsync(waiting.RunId));

        // As another application sharing the store would: the request is closed, nobody continues the run.
        Assert.True(await cluster.Store.CloseHumanRequestAsync(request.Id, HumanRequestStatus.Answered, "no", DateTimeOffset.UtcNow));

        Assert.Equal("no", await decided.Task.WaitAsync(Bound));
    }
}
