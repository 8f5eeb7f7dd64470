using System.Collections.Concurrent;
using Baton.Storage;

namespace Baton.Tests.Engine;

/// <summary>A workflow's own edges can fan out to several steps at once and join them again.</summary>
public sealed class FanOutEdgeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static IAgent Tag(string name, ConcurrentQueue<string>? order = null) => Agent.Create(name, input =>
    {
        order?.Enqueue(name);
        return Payload.FromText($"{name}({input.AsText()})");
    });

    [Fact]
    public async Task Branches_run_at_once_and_the_join_gets_every_branch_by_target()
    {
        // Each branch's first step waits until both have started: only branches in flight together finish.
        var arrived = 0;
        var both = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        IAgent Meets(string name) => Agent.Create(name, async (input, _, ct) =>
        {
            if (Interlocked.Increment(ref arrived) == 2) both.SetResult();
            await both.Task.WaitAsync(ct);
            return AgentResult.Success($"{name}({input.AsText()})");
        });
        var workflow = new WorkflowBuilder("w")
            .AddStep(Tag("split"))
            .AddStep(Meets("left"))
            .AddStep(Tag("left2"))
            .AddStep(Meets("right"))
            .AddStep(Tag("join"))
            .AddFanOutEdge("split", "left", "right")
            .AddEdge("left", "left2")
            .AddFanInEdge(["left2", "right"], "join")
            .Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "x").WaitAsync(Patience);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("""join({"left":"left2(left(split(x)))","right":"right(split(x))"})""", result.Output!.AsText());
        var keys = (await runtime.Store.ReadJournalAsync(result.RunId)).Where(e => e.Kind == JournalEntryKind.StepCompleted).Select(e => e.Key).ToHashSet();
        Assert.Contains("1:split", keys);
        Assert.Contains("2:split-fan-out/left/1:left", keys);
        Assert.Contains("2:split-fan-out/left/2:left2", keys);
        Assert.Contains("2:split-fan-out/right/1:right", keys);
        Assert.Contains("3:join", keys);
    }

    [Fact]
    public async Task Without_a_join_the_workflow_ends_with_every_branch_output()
    {
        var workflow = new WorkflowBuilder("w")
            .AddStep(Tag("split")).AddStep(Tag("a")).AddStep(Tag("b"))
            .AddFanOutEdge("split", "a", "b")
            .Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "x").WaitAsync(Patience);

        Assert.Equal("""{"a":"a(split(x))","b":"b(split(x))"}""", result.Output!.AsText());
    }

    [Fact]
    public async Task Conditional_edges_and_loops_inside_a_branch_follow_their_conditions()
    {
        var count = 0;
        var again = Agent.Create("again", _ => Payload.FromText((++count).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var workflow = new WorkflowBuilder("w")
            .AddStep(Tag("split")).AddStep(again).AddStep(Tag("other")).AddStep(Tag("join"))
            .AddFanOutEdge("split", "again", "other")
            .AddEdge("again", "again", o => o.Output.AsText() != "3", "until 3")
            .AddFanInEdge(["again", "other"], "join")
            .Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "x").WaitAsync(Patience);

        Assert.Equal("""join({"again":"3","other":"other(split(x))"})""", result.Output!.AsText());
    }

    [Fact]
    public async Task A_failing_branch_stops_its_sibling_and_fails_the_run_unless_the_branch_routes_its_error()
    {
        var siblingStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var siblingCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sibling = Agent.Create("slow", async (_, _, ct) =>
        {
            siblingStarted.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                siblingCancelled.SetResult();
                throw;
            }

            return AgentResult.Success("never");
        });
        var boom = Agent.Create("boom", async (_, _, _) =>
        {
            await siblingStarted.Task;
            return AgentResult.Failure(ErrorKind.Fatal, "boom failed");
        });
        var failing = new WorkflowBuilder("w")
            .AddStep(Tag("split")).AddStep(boom).AddStep(sibling).AddStep(Tag("join"))
            .AddFanOutEdge("split", "boom", "slow")
            .AddFanInEdge(["boom", "slow"], "join")
            .Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(failing, "x").WaitAsync(Patience);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("boom failed", result.Error!.Message);
        await siblingCancelled.Task.WaitAsync(Patience);

        var routed = new WorkflowBuilder("w")
            .AddStep(Tag("split")).AddStep(Agent.Create("bad", (_, _, _) => ValueTask.FromResult(AgentResult.Failure(ErrorKind.Fatal, "bad"))))
            .AddStep(Agent.Create("fallback", _ => Payload.FromText("fell back"))).AddStep(Tag("ok")).AddStep(Tag("join"))
            .AddFanOutEdge("split", "bad", "ok")
            .OnError("bad", "fallback")
            .AddFanInEdge(["fallback", "ok"], "join")
            .Build();

        var recovered = await runtime.RunAsync(routed, "x").WaitAsync(Patience);

        Assert.Equal(RunStatus.Succeeded, recovered.Status);
        Assert.Equal("""join({"bad":"fell back","ok":"ok(split(x))"})""", recovered.Output!.AsText());
    }

    [Fact]
    public async Task A_resumed_run_keeps_every_branch_step_that_had_completed()
    {
        var crashed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = new ConcurrentQueue<string>();
        var first = true;
        IAgent Recording(string name) => Agent.Create(name, async (input, _, ct) =>
        {
            calls.Enqueue(name);
            if (name == "b2" && first)
            {
                first = false;
                crashed.SetResult();
                await Task.Delay(Timeout.Infinite, ct); // the process "dies" while b2 is in flight
            }

            return AgentResult.Success($"{name}({input.AsText()})");
        });
        var workflow = new WorkflowBuilder("w")
            .AddStep(Recording("split")).AddStep(Recording("a")).AddStep(Recording("b")).AddStep(Recording("b2")).AddStep(Recording("join"))
            .AddFanOutEdge("split", "a", "b")
            .AddEdge("b", "b2")
            .AddFanInEdge(["a", "b2"], "join")
            .Build();
        var watched = new CommitWatch(new InMemoryRunStore(), ":a");
        await using var runtime = new BatonRuntime(new BatonOptions { Store = watched });
        var doomed = runtime.Start(workflow, "x");
        await crashed.Task.WaitAsync(Patience);
        await watched.Committed.Task.WaitAsync(Patience);
        // What a crash leaves: the start, split, a and b (in whichever order a and b ended); b2 was in flight.
        var committed = (await runtime.Store.ReadJournalAsync(doomed.RunId)).Count;
        Assert.Equal(4, committed);
        var store = await JournalCopy.PrefixAsync(runtime.Store, doomed.RunId, committed);
        doomed.Cancel();
        calls.Clear();

        await using var second = new BatonRuntime(new BatonOptions { Store = store });
        var resumed = await (await second.ResumeAsync(doomed.RunId, workflow)).Completion.WaitAsync(Patience);

        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        Assert.Equal("""join({"a":"a(split(x))","b":"b2(b(split(x)))"})""", resumed.Output!.AsText());
        Assert.Equal(["b2", "join"], calls);
    }

    [Fact]
    public void Edges_that_cross_between_branches_or_reach_into_them_are_refused_with_every_reason()
    {
        var invalid = Assert.Throws<WorkflowValidationException>(() => new WorkflowBuilder("w")
            .AddStep(Tag("split")).AddStep(Tag("a")).AddStep(Tag("b")).AddStep(Tag("c")).AddStep(Tag("join"))
            .AddFanOutEdge("split", "a", "b")
            .AddEdge("a", "c")
            .AddEdge("b", "c")
            .AddFanInEdge(["c"], "join")
            .Build());
        Assert.Contains(invalid.Problems, p => p.Contains("step 'c' is in the branch of 'a' and of 'b'"));

        var into = Assert.Throws<WorkflowValidationException>(() => new WorkflowBuilder("w")
            .AddStep(Tag("start")).AddStep(Tag("split")).AddStep(Tag("a")).AddStep(Tag("b"))
            .AddEdge("start", "split")
            .AddEdge("start", "a", _ => true, "sometimes")
            .AddFanOutEdge("split", "a", "b")
            .Build());
        Assert.Contains(into.Problems, p => p.Contains("the edge from 'start' leads into step 'a'"));

        var alsoEdge = Assert.Throws<WorkflowValidationException>(() => new WorkflowBuilder("w")
            .AddStep(Tag("split")).AddStep(Tag("a")).AddStep(Tag("b")).AddStep(Tag("c"))
            .AddFanOutEdge("split", "a", "b")
            .AddEdge("split", "c")
            .Build());
        Assert.Contains(alsoEdge.Problems, p => p.Contains("step 'split' fans out and also has an edge to 'c'"));

        var unknown = Assert.Throws<WorkflowValidationException>(() => new WorkflowBuilder("w")
            .AddStep(Tag("split")).AddStep(Tag("alpha")).AddStep(Tag("join"))
            .AddFanOutEdge("split", "alpha", "alhpa2")
            .AddFanInEdge(["alpha", "nope"], "join")
            .Build());
        Assert.Contains(unknown.Problems, p => p.Contains("the fan-out from 'split' goes to unknown step 'alhpa2'"));
        Assert.Contains(unknown.Problems, p => p.Contains("the fan-in to 'join' comes from unknown step 'nope'"));

        var orphanJoin = Assert.Throws<WorkflowValidationException>(() => new WorkflowBuilder("w")
            .AddStep(Tag("a")).AddStep(Tag("b")).AddStep(Tag("join"))
            .AddEdge("a", "b")
            .AddFanInEdge(["b"], "join")
            .Build());
        Assert.Contains(orphanJoin.Problems, p => p.Contains("the fan-in to 'join' joins no fan-out"));

        var nested = Assert.Throws<WorkflowValidationException>(() => new WorkflowBuilder("w")
            .AddStep(Tag("split")).AddStep(Tag("a")).AddStep(Tag("b")).AddStep(Tag("a1")).AddStep(Tag("a2"))
            .AddFanOutEdge("split", "a", "b")
            .AddFanOutEdge("a", "a1", "a2")
            .Build());
        Assert.Contains(nested.Problems, p => p.Contains("fan-outs do not nest"));

        Assert.Throws<ArgumentException>(() => new WorkflowBuilder("w").AddFanOutEdge("split", "a", "a"));
        Assert.Throws<ArgumentException>(() => new WorkflowBuilder("w").AddFanOutEdge("split"));
    }

    [Fact]
    public void The_graph_shows_the_branches_and_the_join()
    {
        var workflow = new WorkflowBuilder("w")
            .AddStep(Tag("split")).AddStep(Tag("a")).AddStep(Tag("b")).AddStep(Tag("join"))
            .AddFanOutEdge("split", "a", "b")
            .AddFanInEdge(["a", "b"], "join")
            .Build();

        var mermaid = workflow.ToMermaid();

        Assert.Equal(["split", "split-fan-out", "join"], workflow.Steps.Select(s => s.Id));
        Assert.Contains("split-fan-out", mermaid);
        Assert.Equal(["a", "b"], workflow.GetStep("split-fan-out").Children.Select(c => c.Name));
    }

    /// <summary>A store that says when a step whose key ends with a given suffix has been committed.</summary>
    private sealed class CommitWatch(IRunStore inner, string keySuffix) : DelegatingRunStore(inner)
    {
        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async ValueTask<JournalEntry> AppendAsync(RunLease lease, JournalEntry entry, CancellationToken cancellationToken = default)
        {
            var appended = await base.AppendAsync(lease, entry, cancellationToken);
            if (entry.Key?.EndsWith(keySuffix, StringComparison.Ordinal) == true) Committed.TrySetResult();
            return appended;
        }
    }
}
