using System.Collections.Concurrent;
using Baton.Storage;

namespace Baton.Tests.Durability;

public sealed class ReplayAndForkTests
{
    /// <summary>A three-step pipeline that counts its executions and keeps a running total and a log in state.</summary>
    private static (Workflow Workflow, ConcurrentDictionary<string, int> Runs) Pipeline(string name)
    {
        var runs = new ConcurrentDictionary<string, int>();
        IAgent Add(string id, int amount) => Agent.Create(id, (input, context, _) =>
        {
            runs.AddOrUpdate(id, 1, (_, n) => n + 1);
            var total = (context.State.TryGet("total", out var t) ? t.Get<int>() : 0) + amount;
            context.SetState("total", Payload.From(total));
            context.SetState("log", Payload.FromText(id));
            return new ValueTask<AgentResult>(AgentResult.Success(Payload.FromText($"{input.AsText()}+{amount}")));
        });
        var workflow = new WorkflowBuilder(name)
            .DeclareState("log", StateReducer.Append)
            .AddStep(Add("a", 1)).AddStep(Add("b", 10)).AddStep(Add("c", 100))
            .AddEdge("a", "b").AddEdge("b", "c")
            .Build();
        return (workflow, runs);
    }

    [Fact]
    public async Task Replay_rebuilds_the_state_after_every_step()
    {
        var (workflow, _) = Pipeline("replayed");
        await using var runtime = new BatonRuntime();
        runtime.Register(workflow);
        var result = await runtime.RunAsync(workflow, "0");

        var history = await runtime.ReplayAsync(result.RunId);

        Assert.Equal("0", history.Input.AsText());
        var steps = history.Steps.ToArray();
        Assert.Equal(["a", "b", "c"], steps.Select(s => s.Entry.StepId));
        Assert.Equal([1, 11, 111], steps.Select(s => s.State["total"].Get<int>()));
        Assert.Equal("""["a","b"]""", steps[1].State["log"].ToString());
        Assert.Equal(111, history.FinalState["total"].Get<int>());
        Assert.Equal(JournalEntryKind.RunSucceeded, history.Entries[^1].Entry.Kind);
    }

    [Fact]
    public async Task A_fork_with_edited_state_re_runs_only_what_follows_and_leaves_the_old_run_alone()
    {
        var (workflow, runs) = Pipeline("forked");
        await using var runtime = new BatonRuntime();
        runtime.Register(workflow);
        var original = await runtime.RunAsync(workflow, "0");
        var history = await runtime.ReplayAsync(original.RunId);
        var afterA = history.Steps.First(s => s.Entry.StepId == "a").Entry.Sequence;

        var fork = await runtime.ForkAsync(original.RunId, afterA, new Dictionary<string, Payload> { ["total"] = Payload.From(1000) });
        var result = await fork.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.NotEqual(original.RunId, result.RunId);
        Assert.Equal("0+1+10+100", result.Output!.AsText());
        Assert.Equal(1, runs["a"]); // not run again: the fork starts after it
        Assert.Equal(2, runs["b"]);
        Assert.Equal(2, runs["c"]);
        var forked = await runtime.ReplayAsync(result.RunId);
        Assert.Equal(1110, forked.FinalState["total"].Get<int>());
        Assert.Equal("""["a","b","c"]""", forked.FinalState["log"].ToString());
        Assert.Equal(111, (await runtime.ReplayAsync(original.RunId)).FinalState["total"].Get<int>());
    }

    [Fact]
    public async Task Forking_rejects_private_state_edits_and_points_past_the_journal()
    {
        var (workflow, _) = Pipeline("bad-fork");
        await using var runtime = new BatonRuntime();
        runtime.Register(workflow);
        var original = await runtime.RunAsync(workflow, "0");

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => runtime.ForkAsync(original.RunId, 999));
        await Assert.ThrowsAsync<ArgumentException>(() => runtime.ForkAsync(original.RunId, 2, new Dictionary<string, Payload> { ["~a/x"] = Payload.From(1) }));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => runtime.ReplayAsync("no-such-run"));
    }

    [Fact]
    public async Task A_durable_timer_waits_only_for_what_is_left_after_a_crash()
    {
        var time = new FakeTime();
        var waited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sleeper = Agent.Create("sleeper", async (input, context, ct) =>
        {
            var delay = context.DelayAsync(TimeSpan.FromHours(24), ct);
            waited.TrySetResult();
            await delay;
            return AgentResult.Success(Payload.FromText($"woke at {context.TimeProvider.GetUtcNow():HH:mm}"));
        });
        var workflow = new SequentialBuilder("timer").Then(sleeper).Build();
        var store = new InMemoryRunStore(time);
        var options = new BatonOptions { Store = store, TimeProvider = time, Limits = RunLimits.Default with { Timeout = null } };
        string runId;
        var start = time.GetUtcNow();
        await using (var crashed = new BatonRuntime(options))
        {
            var run = crashed.Start(workflow, "x");
            await waited.Task.WaitAsync(TimeSpan.FromSeconds(10));
            runId = run.RunId;
            time.Advance(TimeSpan.FromHours(20));
            run.Cancel(); // the process dies 20 hours into the wait
            await run.Completion.WaitAsync(TimeSpan.FromSeconds(10));
            await Interrupted.MarkAsync(store, runId);
        }

        var timer = Assert.Single(await store.ReadJournalAsync(runId), e => e.Kind == JournalEntryKind.TimerStarted);
        Assert.Equal(start + TimeSpan.FromHours(24), timer.Timestamp);
        await using var resumed = new BatonRuntime(options);
        var handle = await resumed.ResumeAsync(runId, workflow);
        await time.WaitForPendingTimersAsync(1).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(handle.Completion.IsCompleted);
        time.Advance(TimeSpan.FromHours(4));
        var result = await handle.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal($"woke at {start + TimeSpan.FromHours(24):HH:mm}", result.Output!.AsText());
    }

    [Fact]
    public async Task A_step_draws_the_same_random_numbers_when_it_runs_again_after_a_crash()
    {
        var draws = new ConcurrentQueue<int>();
        var attempts = 0;
        var chooser = Agent.Create("chooser", (input, context, _) =>
        {
            var draw = context.Random.Next(1_000_000);
            draws.Enqueue(draw);
            // The first execution "crashes" after drawing; the run is resumed and the step runs again.
            if (Interlocked.Increment(ref attempts) == 1) throw new AgentException(ErrorKind.Fatal, "crash");
            return new ValueTask<AgentResult>(AgentResult.Success(Payload.From(draw)));
        });
        var workflow = new SequentialBuilder("random").Then(chooser).Build();
        await using var runtime = new BatonRuntime();
        var failed = await runtime.RunAsync(workflow, "x");
        Assert.Equal(RunStatus.Failed, failed.Status);

        var resumed = await runtime.ResumeAsync(failed.RunId, workflow);
        var result = await resumed.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        var other = await runtime.RunAsync(workflow, "x");

        Assert.Single(draws.Take(2).Distinct());
        Assert.Equal(draws.First(), result.Output!.Get<int>());
        Assert.NotEqual(draws.First(), other.Output!.Get<int>()); // another run draws its own numbers
    }
}
