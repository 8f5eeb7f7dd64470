using System.Collections.Concurrent;
using Baton.Tests.Engine;

namespace Baton.Tests.Patterns;

public sealed class GraphStepTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Independent_nodes_are_in_flight_at_the_same_time()
    {
        // Each node waits until both have started: only a graph that runs them at once finishes.
        var arrived = 0;
        var both = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        IAgent Meets(string name) => Agent.Create(name, async (_, _, ct) =>
        {
            if (Interlocked.Increment(ref arrived) == 2) both.SetResult();
            await both.Task.WaitAsync(ct);
            return AgentResult.Success(name.ToUpperInvariant());
        });
        var workflow = new GraphBuilder("g").Node("a", Meets("a")).Node("b", Meets("b")).Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "x").WaitAsync(Patience);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("""{"a":"A","b":"B"}""", result.Output!.AsText());
    }

    [Fact]
    public async Task A_diamond_runs_in_dependency_order_and_the_join_gets_both_outputs()
    {
        var order = new ConcurrentQueue<string>();
        IAgent Tag(string name) => Agent.Create(name, input =>
        {
            order.Enqueue(name);
            return Payload.FromText($"{name}({input.AsText()})");
        });
        var workflow = new GraphBuilder("diamond")
            .Node("top", Tag("top"))
            .Node("left", Tag("left"), dependsOn: ["top"])
            .Node("right", Tag("right"), dependsOn: ["top"])
            .Node("bottom", Tag("bottom"), dependsOn: ["left", "right"])
            .Output("bottom")
            .Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "x").WaitAsync(Patience);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        var seen = order.ToArray();
        Assert.Equal("top", seen[0]);
        Assert.Equal("bottom", seen[3]);
        Assert.Equal(["left", "right"], seen[1..3].Order());
        // One dependency: its output is the input; several: an object of their outputs by id.
        Assert.Equal("""bottom({"left":"left(top(x))","right":"right(top(x))"})""", result.Output!.AsText());
    }

    [Fact]
    public async Task An_input_builder_sees_the_graph_input_and_the_dependencies()
    {
        var workflow = new GraphBuilder("g")
            .Node("n", Agent.Create("n", _ => Payload.FromText("7")))
            .Node("sum", Agent.Identity("sum"), dependsOn: ["n"],
                input: inputs => Payload.FromText($"{inputs.NodeId}: {inputs.GraphInput.AsText()} + {inputs.Dependencies["n"].AsText()}"))
            .Output("sum")
            .Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "5").WaitAsync(Patience);

        Assert.Equal("sum: 5 + 7", result.Output!.AsText());
    }

    [Fact]
    public async Task A_slow_node_does_not_hold_back_an_unrelated_chain()
    {
        // "slow" finishes only after "second" (which depends on "first") has run: lock-step
        // supersteps would wait for "slow" before starting "second", and never finish.
        var secondRan = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var workflow = new GraphBuilder("g")
            .Node("slow", Agent.Create("slow", async (_, _, ct) =>
            {
                await secondRan.Task.WaitAsync(ct);
                return AgentResult.Success("slow");
            }))
            .Node("first", Agent.Create("first", _ => Payload.FromText("1")))
            .Node("second", Agent.Create("second", input =>
            {
                secondRan.SetResult();
                return Payload.FromText(input.AsText() + "2");
            }), dependsOn: ["first"])
            .Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "x").WaitAsync(Patience);

        Assert.Equal("""{"slow":"slow","first":"1","second":"12"}""", result.Output!.AsText());
    }

    [Fact]
    public async Task MaxParallel_bounds_the_nodes_in_flight()
    {
        var inFlight = 0;
        var most = 0;
        IAgent Counted(string name) => Agent.Create(name, async (_, _, ct) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            await Task.Delay(20, ct);
            Interlocked.Decrement(ref inFlight);
            return AgentResult.Success(name);
        });
        var graph = new GraphBuilder("g").MaxParallel(2);
        foreach (var name in new[] { "a", "b", "c", "d", "e" }) graph.Node(name, Counted(name));
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(graph.Build(), "x").WaitAsync(Patience);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.InRange(most, 1, 2);
    }

    [Fact]
    public async Task A_failed_node_fails_the_step_with_the_completed_outputs_and_cancels_the_rest()
    {
        var hangStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hangCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var afterRan = false;
        var workflow = new GraphBuilder("g")
            .Node("a", Agent.Create("a", _ => Payload.FromText("A")))
            .Node("hang", Agent.Create("hang", async (_, _, ct) =>
            {
                hangStarted.SetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                catch (OperationCanceledException)
                {
                    hangCancelled.SetResult();
                    throw;
                }

                return AgentResult.Success("never");
            }))
            .Node("broken", Agent.Create("broken", async (_, _, _) =>
            {
                await hangStarted.Task;
                return AgentResult.Failure(ErrorKind.Fatal, "boom");
            }), dependsOn: ["a"])
            .Node("after", Agent.Create("after", _ =>
            {
                afterRan = true;
                return Payload.FromText("never");
            }), dependsOn: ["broken"])
            .Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "x").WaitAsync(Patience);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("node 'broken' failed: boom", result.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorKind.Fatal, result.Error.Kind);
        Assert.True(hangCancelled.Task.IsCompleted);
        Assert.False(afterRan);
        Assert.Equal("""{"a":"A"}""", result.Partial!.AsJson().GetProperty("g").GetRawText());
    }

    [Fact]
    public async Task A_node_stopped_part_way_keeps_the_steps_it_completed_in_the_partial_results()
    {
        var inner = new SequentialBuilder("inner")
            .Then(Agent.Create("first", _ => Payload.FromText("kept")))
            .Then(Agent.Create("second", (_, _, _) => new ValueTask<AgentResult>(AgentResult.Failure(ErrorKind.Recoverable, "no"))))
            .Build();
        var workflow = new GraphBuilder("g").Node("work", inner).Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "x").WaitAsync(Patience);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("kept", result.Partial!.AsJson().GetProperty("g").GetProperty("work").GetProperty("first").GetString());
    }

    [Fact]
    public async Task Cancelling_the_run_stops_every_node_in_flight_promptly()
    {
        var started = 0;
        var allStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = 0;
        IAgent Hang(string name) => Agent.Create(name, async (_, _, ct) =>
        {
            if (Interlocked.Increment(ref started) == 2) allStarted.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref cancelled);
                throw;
            }

            return AgentResult.Success("never");
        });
        var workflow = new GraphBuilder("g").Node("a", Hang("a")).Node("b", Hang("b")).Node("c", Agent.Identity("c"), dependsOn: ["a", "b"]).Build();
        await using var runtime = new BatonRuntime();

        var run = runtime.Start(workflow, "x");
        await allStarted.Task.WaitAsync(Patience);
        run.Cancel();
        var result = await run.Completion.WaitAsync(Patience);

        Assert.Equal(RunStatus.Cancelled, result.Status);
        Assert.Equal(2, cancelled);
    }

    [Fact]
    public async Task Resume_after_a_crash_replays_completed_nodes_and_reruns_the_one_in_flight()
    {
        var calls = new ConcurrentQueue<string>();
        var crash = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var crashNow = 1;
        IAgent Worker(string name) => Agent.Create(name, async (input, context, ct) =>
        {
            calls.Enqueue(name);
            if (name == "join" && Interlocked.Exchange(ref crashNow, 0) == 1)
            {
                crash.SetResult();
                await Task.Delay(Timeout.Infinite, ct); // the process "dies" here
            }

            return AgentResult.Success(name == "join" ? $"join({input.AsText()})" : name);
        });
        var workflow = new GraphBuilder("g")
            .Node("a", Worker("a"))
            .Node("b", Worker("b"))
            .Node("join", Worker("join"), dependsOn: ["a", "b"])
            .Output("join")
            .Build();
        await using var first = new BatonRuntime();
        var doomed = first.Start(workflow, "x");
        await crash.Task.WaitAsync(Patience);
        var committed = (await first.Store.ReadJournalAsync(doomed.RunId)).Count;
        var store = await JournalCopy.PrefixAsync(first.Store, doomed.RunId, committed);
        doomed.Cancel();

        await using var second = new BatonRuntime(new BatonOptions { Store = store });
        var resumed = await (await second.ResumeAsync(doomed.RunId, workflow)).Completion.WaitAsync(Patience);

        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        Assert.Equal("""join({"a":"a","b":"b"})""", resumed.Output!.AsText());
        Assert.Equal(1, calls.Count(c => c == "a"));
        Assert.Equal(1, calls.Count(c => c == "b"));
        Assert.Equal(2, calls.Count(c => c == "join"));
        // Children are journaled under the graph step by node id.
        var keys = (await store.ReadJournalAsync(doomed.RunId)).Select(e => e.Key).OfType<string>().ToArray();
        Assert.Contains("1:g/a/1:a", keys);
        Assert.Contains("1:g/join/1:join", keys);
    }

    [Fact]
    public async Task A_graph_made_from_the_input_runs_and_an_invalid_one_fails_the_step()
    {
        var step = new GraphStep("tasks", input =>
        {
            var graph = new GraphBuilder("tasks");
            string? previous = null;
            foreach (var word in input.AsText().Split(' '))
            {
                graph.Node(word, Agent.Create(word, i => Payload.FromText($"{i.AsText()}>{word}")), dependsOn: previous is null ? null : [previous]);
                previous = word;
            }

            return graph.Output(previous!);
        });
        var workflow = new WorkflowBuilder("w").AddStep(step).Build();
        await using var runtime = new BatonRuntime();

        var ok = await runtime.RunAsync(workflow, "a b c").WaitAsync(Patience);
        var repeated = await runtime.RunAsync(workflow, "a b a").WaitAsync(Patience);

        Assert.Equal("a b c>a>b>c", ok.Output!.AsText());
        Assert.Equal(RunStatus.Failed, repeated.Status);
        Assert.Equal("invalid_graph", repeated.Error!.Code);
        Assert.Contains("node id 'a' is used twice", repeated.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_graph_wider_than_the_fan_out_limit_fails_fatally()
    {
        var graph = new GraphBuilder("g");
        for (var i = 0; i < 3; i++) graph.Node($"n{i}", Agent.Identity($"n{i}"));
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(graph.Build(), "x", new RunOptions { Limits = new RunLimits { MaxFanOut = 2 } }).WaitAsync(Patience);

        Assert.Equal("fan_out", result.Error!.Code);
        Assert.Equal(ErrorKind.Fatal, result.Error.Kind);
    }

    [Fact]
    public async Task An_input_builder_that_throws_fails_its_node()
    {
        var workflow = new GraphBuilder("g")
            .Node("a", Agent.Identity("a"), input: _ => throw new InvalidOperationException("no input"))
            .Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "x").WaitAsync(Patience);

        Assert.Equal("node_input", result.Error!.Code);
        Assert.Contains("no input", result.Error.Message, StringComparison.Ordinal);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current) return;
            current = seen;
        }
    }
}
