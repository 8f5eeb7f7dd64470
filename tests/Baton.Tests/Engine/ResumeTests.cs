using Baton.Storage;

namespace Baton.Tests.Engine;

public sealed class ResumeTests
{
    [Fact]
    public async Task Resume_skips_completed_steps_and_reruns_the_one_in_flight_with_the_same_key()
    {
        var crashed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = new List<(string Step, string Key)>();
        var firstAttemptOfB = true;
        IAgent Recording(string name) => Agent.Create(name, async (input, context, ct) =>
        {
            lock (calls) calls.Add((name, context.IdempotencyKey));
            if (name == "b" && firstAttemptOfB)
            {
                firstAttemptOfB = false;
                crashed.SetResult();
                await Task.Delay(Timeout.Infinite, ct); // the process "dies" while b is in flight
            }

            return AgentResult.Success($"{input}>{name}");
        });
        var workflow = SequentialBuilder.Create("chain", Recording("a"), Recording("b"), Recording("c"));
        await using var first = new BatonRuntime();
        var doomed = first.Start(workflow, "in");
        await crashed.Task;

        // What a crash leaves: the start and a's completion; b was never committed.
        var store = await JournalCopy.PrefixAsync(first.Store, doomed.RunId, 2);
        doomed.Cancel();
        await using var second = new BatonRuntime(new BatonOptions { Store = store });
        Assert.Equal([doomed.RunId], (await second.FindInterruptedRunsAsync()).Select(r => r.RunId));
        var resumed = await (await second.ResumeAsync(doomed.RunId, workflow)).Completion;

        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        Assert.Equal("in>a>b>c", resumed.Output!.AsText());
        Assert.Equal(["a", "b", "b", "c"], calls.Select(c => c.Step));
        Assert.Equal(calls[1].Key, calls[2].Key);
        Assert.Equal($"{doomed.RunId}/2:b", calls[1].Key);
        Assert.Equal(RunStatus.Succeeded, (await store.GetRunAsync(doomed.RunId))!.Status);
    }

    [Fact]
    public async Task A_run_killed_after_journaling_its_end_but_before_its_status_ends_once_without_running_again()
    {
        var calls = 0;
        var step = Agent.Create("step", (Payload input) =>
        {
            Interlocked.Increment(ref calls);
            return Payload.FromText(input.AsText() + ">step");
        });
        var workflow = SequentialBuilder.Create("once", step);
        await using var first = new BatonRuntime();
        var done = await first.RunAsync(workflow, "in");
        Assert.Equal(RunStatus.Succeeded, done.Status);
        var journal = await first.Store.ReadJournalAsync(done.RunId);
        Assert.Equal(JournalEntryKind.RunSucceeded, journal[^1].Kind);

        // What a kill between the two last writes leaves: the whole journal, the status still "running".
        var store = await JournalCopy.PrefixAsync(first.Store, done.RunId, journal.Count);
        await using var second = new BatonRuntime(new BatonOptions { Store = store });
        var resumed = await (await second.ResumeAsync(done.RunId, workflow)).Completion;

        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        Assert.Equal("in>step", resumed.Output!.AsText());
        Assert.Equal(1, calls);
        Assert.Single(await store.ReadJournalAsync(done.RunId), e => e.Kind == JournalEntryKind.RunSucceeded);
        Assert.Equal(RunStatus.Succeeded, (await store.GetRunAsync(done.RunId))!.Status);
    }

    [Fact]
    public async Task A_cancelled_run_stays_cancelled()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var script = new AgentScript();
        var a = script.Agent("a").Returns("A");
        var b = script.Agent("b").BlocksUntilCancelled(started);
        var workflow = SequentialBuilder.Create("chain", a, b);
        await using var runtime = new BatonRuntime();
        runtime.Register(workflow);

        var run = runtime.Start(workflow, "x");
        await started.Task;
        run.Cancel();
        Assert.Equal(RunStatus.Cancelled, (await run.Completion).Status);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.ResumeAsync(run.RunId));

        Assert.Contains("stays cancelled", refused.Message);
        Assert.Equal(RunStatus.Cancelled, (await runtime.Store.GetRunAsync(run.RunId))!.Status);
        var kinds = (await runtime.Store.ReadJournalAsync(run.RunId)).Select(e => e.Kind);
        Assert.Equal([JournalEntryKind.RunStarted, JournalEntryKind.StepCompleted, JournalEntryKind.RunCancelled], kinds);
    }

    [Fact]
    public async Task A_run_stopped_mid_step_resumes_where_it_stopped()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var script = new AgentScript();
        var a = script.Agent("a").Returns("A");
        var b = script.Agent("b").BlocksUntilCancelled(started).Returns("B");
        var workflow = SequentialBuilder.Create("chain", a, b);
        await using var runtime = new BatonRuntime();
        runtime.Register(workflow);

        var run = runtime.Start(workflow, "x");
        await started.Task;
        run.Cancel();
        await run.Completion;
        await Durability.Interrupted.MarkAsync(runtime.Store, run.RunId);
        var resumed = await (await runtime.ResumeAsync(run.RunId)).Completion;

        Assert.Equal("B", resumed.Output!.AsText());
        Assert.Equal(1, a.CallCount);
    }

    [Fact]
    public async Task Resume_of_a_fan_out_keeps_finished_branches_and_restores_state()
    {
        var calls = new System.Collections.Concurrent.ConcurrentBag<string>();
        var crash = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var crashNow = true;
        IAgent Worker(string name, bool slow) => Agent.Create(name, async (input, context, ct) =>
        {
            calls.Add(name);
            context.SetState("seen", Payload.FromText(name));
            if (slow && crashNow)
            {
                crashNow = false;
                crash.SetResult();
                await Task.Delay(Timeout.Infinite, ct);
            }

            return AgentResult.Success(name);
        });
        var workflow = new WorkflowBuilder("fan")
            .DeclareState("seen", StateReducer.Append)
            .AddStep(new ParallelBuilder("p").Branch(Worker("fast1", false)).Branch(Worker("fast2", false)).Branch(Worker("slow", true)).BuildStep())
            .AddStep(Agent.Create("report", (input, context, _) =>
                new ValueTask<AgentResult>(AgentResult.Success(Payload.From(new { branches = input, seen = context.State.Get<string[]>("seen") })))))
            .AddEdge("p", "report")
            .Build();
        await using var first = new BatonRuntime();
        var doomed = first.Start(workflow, "x");
        await crash.Task;
        var committed = (await first.Store.ReadJournalAsync(doomed.RunId)).Count;
        var store = await JournalCopy.PrefixAsync(first.Store, doomed.RunId, committed);
        doomed.Cancel();

        await using var second = new BatonRuntime(new BatonOptions { Store = store });
        var resumed = await (await second.ResumeAsync(doomed.RunId, workflow)).Completion;

        // The state the finished branches wrote before the crash was restored from the journal.
        Assert.Equal("""{"branches":["fast1","fast2","slow"],"seen":["fast1","fast2","slow"]}""", resumed.Output!.AsText());
        Assert.Equal(1, calls.Count(c => c == "fast1"));
        Assert.Equal(1, calls.Count(c => c == "fast2"));
        Assert.Equal(2, calls.Count(c => c == "slow"));
    }

    [Fact]
    public async Task Resume_refuses_a_finished_run_and_a_changed_workflow()
    {
        await using var runtime = new BatonRuntime();
        var done = await runtime.RunAsync(SequentialBuilder.Create("w", Agent.Identity("a")), "x");
        await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.ResumeAsync(done.RunId, SequentialBuilder.Create("w", Agent.Identity("a"))));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => runtime.ResumeAsync("nope"));

        var failing = await runtime.RunAsync(SequentialBuilder.Create("v", Agent.Identity("a"), Agent.Create("b", (_, _, _) => new ValueTask<AgentResult>(AgentResult.Failure(ErrorKind.Fatal, "x")))), "x");
        var changed = SequentialBuilder.Create("v", Agent.Identity("renamed"), Agent.Identity("b"));
        var result = await (await runtime.ResumeAsync(failing.RunId, changed)).Completion;

        Assert.Equal("journal_mismatch", result.Error!.Code);
        Assert.Contains("the journal has step 'a' at '1:a' but the workflow has 'renamed'", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_run_resumed_gives_the_failed_step_another_chance()
    {
        using var script = new AgentScript();
        var a = script.Agent("a").Returns("A");
        var b = script.Agent("b").Fails(ErrorKind.Fatal, "down").Returns("B");
        var workflow = SequentialBuilder.Create("w", a, b);
        await using var runtime = new BatonRuntime();

        var failed = await runtime.RunAsync(workflow, "x");
        var resumed = await (await runtime.ResumeAsync(failed.RunId, workflow)).Completion;

        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Equal("B", resumed.Output!.AsText());
    }

    [Fact]
    public async Task A_nested_workflow_is_journaled_under_its_parent_step()
    {
        var inner = SequentialBuilder.Create("inner", Agent.Create("x", i => Payload.FromText(i + "x")), Agent.Create("y", i => Payload.FromText(i + "y")));
        var outer = SequentialBuilder.Create("outer", inner.AsAgent(), Agent.Create("z", i => Payload.FromText(i + "z")));
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(outer, ">");

        Assert.Equal(">xyz", result.Output!.AsText());
        var keys = (await runtime.Store.ReadJournalAsync(result.RunId)).Where(e => e.Key is not null).Select(e => e.Key);
        Assert.Equal(["1:inner/1:x", "1:inner/2:y", "1:inner", "2:z"], keys);
    }

    [Fact]
    public async Task A_workflow_agent_called_directly_runs_on_its_own()
    {
        var inner = SequentialBuilder.Create("inner", Agent.Create("x", i => Payload.FromText(i + "x")));
        var result = await inner.AsAgent().InvokeAsync(">", new RecordingStepContext(), CancellationToken.None);
        Assert.Equal(">x", result.Output.AsText());
    }
}
