using Baton.Tests.Events;

namespace Baton.Tests.Core;

/// <summary>
/// Writes made under a composite step reach the run's state when it joins its children, in child order; a child
/// sees its own scope's writes at once; watchers hear of every write as it commits, from any branch.
/// </summary>
public sealed class JoinStateTests
{
    [Fact]
    public async Task A_branch_sees_its_own_writes_at_once_and_a_siblings_only_after_the_join_while_watchers_hear_them_live()
    {
        string? seenBySibling = "unset";
        string? heardBySibling = null;
        var write = Agent.Create("write", (input, context) =>
        {
            context.SetState("x", Payload.FromText("from a"));
            return AgentResult.Success("wrote");
        });
        var readOwn = Agent.Create("read-own", (input, context) =>
            AgentResult.Success(context.State.TryGet("x", out var x) ? x : Payload.FromText("nothing")));
        var sibling = Agent.Create("sibling", async (input, context, ct) =>
        {
            // Wait until branch a's write has committed, then look at the state this branch reads.
            // (The first change is the live value when the watch starts: a's write, if it committed already.)
            await foreach (var change in context.WatchState("x", ct))
            {
                heardBySibling = change.Update.AsText();
                break;
            }

            seenBySibling = context.State.TryGet("x", out var x) ? x.AsText() : null;
            return AgentResult.Success("looked");
        });
        var after = Agent.Create("after", (input, context) =>
            AgentResult.Success(context.State.TryGet("x", out var x) ? x : Payload.FromText("nothing")));
        var fan = new ParallelBuilder("fan")
            .Branch("a", SequentialBuilder.Create("a", write, readOwn))
            .Branch("b", SequentialBuilder.Create("b", sibling))
            .BuildStep();
        var workflow = new WorkflowBuilder("join").AddStep(fan).AddStep(after).AddEdge("fan", "after").Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "go").Within();

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("from a", heardBySibling);
        Assert.Null(seenBySibling);
        Assert.Equal("from a", result.Output!.AsText());
        var branchA = await runtime.Store.ReadJournalAsync(result.RunId);
        Assert.Equal("from a", branchA.Single(e => e.StepId == "read-own").Payload!.AsText());
    }

    [Fact]
    public async Task A_resumed_fan_out_joins_the_writes_of_replayed_and_new_branches_in_branch_order()
    {
        var time = new Baton.Testing.FakeTime();
        var store = new Baton.Storage.InMemoryRunStore(time);
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var crashed = true;
        IAgent Writer(string name, bool blocks) => Agent.Create(name, async (input, context, ct) =>
        {
            if (blocks && crashed)
            {
                blocked.TrySetResult();
                await released.Task.WaitAsync(ct);
            }

            context.SetState("log", Payload.From(new[] { name }));
            return AgentResult.Success(name);
        });
        var workflow = new WorkflowBuilder("resume-join")
            .DeclareState("log", StateReducer.Append)
            .AddStep(new ParallelBuilder("fan").Branch(Writer("first", blocks: true)).Branch(Writer("second", blocks: false)).BuildStep())
            .Build();
        var options = new BatonOptions { Store = store, TimeProvider = time, Limits = RunLimits.Default with { Timeout = null } };
        string runId;
        await using (var first = new BatonRuntime(options))
        {
            var run = first.Start(workflow, "go");
            await blocked.Task.Within();
            runId = run.RunId;
            run.Cancel(); // "second" committed; "first" was in flight
            await run.Completion.Within();
            await Durability.Interrupted.MarkAsync(store, runId);
        }

        crashed = false;
        await using var second = new BatonRuntime(options);
        var result = await (await second.ResumeAsync(runId, workflow)).Completion.Within();
        var history = await second.ReplayAsync(runId, workflow);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("""["first","second"]""", history.FinalState["log"].AsText());
    }

    [Fact]
    public async Task A_graph_node_sees_what_the_nodes_it_depends_on_wrote_but_not_an_unrelated_node()
    {
        IAgent Writer(string name) => Agent.Create(name, (input, context) =>
        {
            context.SetState(name, Payload.FromText("written"));
            return AgentResult.Success(name);
        });
        var reader = Agent.Create("reader", (input, context) =>
            AgentResult.Success(string.Join(",", new[] { "root", "middle", "aside" }.Where(n => context.State.TryGet(n, out _)))));
        var graph = new GraphBuilder("g")
            .Node("root", Writer("root"))
            .Node("middle", Writer("middle"), dependsOn: ["root"])
            .Node("aside", Writer("aside"))
            .Node("reader", reader, dependsOn: ["middle"])
            .Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(graph, "go").Within();
        var read = (await runtime.Store.ReadJournalAsync(result.RunId)).Single(e => e.StepId == "reader").Payload!.AsText();

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("root,middle", read); // its dependencies, direct or not; "aside" joins only at the graph's end
        var final = (await runtime.ReplayAsync(result.RunId, graph)).FinalState;
        Assert.True(final.ContainsKey("root") && final.ContainsKey("middle") && final.ContainsKey("aside"));
    }

    [Fact]
    public async Task A_routes_validator_sees_what_the_specialist_it_checks_wrote()
    {
        var specialist = Agent.Create("specialist", (input, context) =>
        {
            context.SetState("draft", Payload.FromText("v1"));
            return AgentResult.Success("answer");
        });
        var validator = Agent.Create("validator", (input, context) =>
            AgentResult.Success(context.State.TryGet("draft", out var draft) && draft.AsText() == "v1" ? "yes" : "no: no draft"));
        var route = new ManagerWorkerBuilder("desk")
            .Classify(_ => "work")
            .Route("work", specialist)
            .Validate(validator)
            .Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(route, "task").Within();

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("answer", result.Output!.AsText());
    }
}
