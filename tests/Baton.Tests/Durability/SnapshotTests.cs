using Baton.Storage;
using Baton.Tests.Engine;

namespace Baton.Tests.Durability;

public sealed class SnapshotTests
{
    private static Workflow Chat(int turns) => new StateMachineBuilder("chat")
        .DeclareState("conversation", StateReducer.Append)
        .State("turn", Agent.Create("turn", (input, context, _) =>
        {
            var n = input.IsEmpty ? 1 : input.Get<int>() + 1;
            context.SetState("conversation", Payload.FromText($"message {n}"));
            context.SetPrivateState("seen", Payload.From(n));
            return new ValueTask<AgentResult>(AgentResult.Success(Payload.From(n)));
        }))
        .Transition("turn", "turn", o => o.Output.Get<int>() < turns, "more")
        .Build();

    [Fact]
    public async Task The_state_is_snapshotted_periodically_and_a_resume_from_any_prefix_ends_with_the_same_state()
    {
        var workflow = Chat(10);
        await using var runtime = new BatonRuntime(new BatonOptions { SnapshotEvery = 3 });
        var whole = await runtime.RunAsync(workflow, Payload.Empty);
        var journal = await runtime.Store.ReadJournalAsync(whole.RunId);
        var snapshots = journal.Where(e => e.Kind == JournalEntryKind.StateSnapshot).ToArray();
        Assert.Equal(3, snapshots.Length); // after writes 3, 6 and 9
        Assert.Contains(snapshots[0].StateChanges!, c => c.Name == "seen" && c.Agent == "turn"); // private state, kept by its agent
        var expected = (await runtime.ReplayAsync(whole.RunId, workflow)).FinalState["conversation"].ToString();

        for (var cut = 2; cut < journal.Count - 1; cut++)
        {
            var store = await JournalCopy.PrefixAsync(runtime.Store, whole.RunId, cut);
            await using var resumed = new BatonRuntime(new BatonOptions { Store = store, SnapshotEvery = 3 });
            var result = await (await resumed.ResumeAsync(whole.RunId, workflow)).Completion;
            Assert.Equal(10, result.Output!.Get<int>());
            Assert.Equal(expected, (await resumed.ReplayAsync(whole.RunId, workflow)).FinalState["conversation"].ToString());
        }
    }

    [Fact]
    public async Task Resume_starts_from_the_latest_snapshot_instead_of_re_applying_older_writes()
    {
        // A journal whose snapshot disagrees with the writes before it: resume must take the snapshot's word.
        var store = new InMemoryRunStore();
        var lease = await store.CreateRunAsync(new RunRecord { RunId = "r", Workflow = "chat", Status = RunStatus.Running }, "crashed", TimeSpan.Zero);
        await store.AppendAsync(lease, new JournalEntry { Kind = JournalEntryKind.RunStarted, Payload = Payload.Empty });
        await store.AppendAsync(lease, new JournalEntry
        {
            Kind = JournalEntryKind.StepCompleted, Key = "1:turn", StepId = "turn", Payload = Payload.From(1), Next = "turn",
            StateChanges = [new StateChange("conversation", Payload.FromText("message 1"))],
        });
        await store.AppendAsync(lease, new JournalEntry
        {
            Kind = JournalEntryKind.StateSnapshot,
            StateChanges = [new StateChange("conversation", Payload.ParseJson("""["from the snapshot"]"""))],
        });
        var reader = new StateMachineBuilder("chat")
            .DeclareState("conversation", StateReducer.Append)
            .State("turn", Agent.Create("turn", (input, context, _) =>
                new ValueTask<AgentResult>(AgentResult.Success(context.State.TryGet("conversation", out var c) ? c : Payload.Empty))))
            .Transition("turn", "turn", _ => false, "never")
            .Build();
        await using var runtime = new BatonRuntime(new BatonOptions { Store = store });

        var result = await (await runtime.ResumeAsync("r", reader)).Completion;

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("""["from the snapshot"]""", result.Output!.ToString());
    }
}
