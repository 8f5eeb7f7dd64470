using System.Collections.Concurrent;
using Baton.Storage;

namespace Baton.Tests.Engine;

public sealed class CompositeRetryAndTimeoutTests
{
    [Fact]
    public async Task Retrying_a_composite_step_replays_its_completed_children_instead_of_running_them_again()
    {
        var calls = new ConcurrentDictionary<string, int>();
        var flakyCalls = 0;
        var expensive = Agent.Create("expensive", (input, context) =>
        {
            calls.AddOrUpdate("expensive", 1, (_, n) => n + 1);
            context.SetState("log", "expensive ran");
            return AgentResult.Success(input);
        });
        var flaky = Agent.Create("flaky", (input, _) =>
            Interlocked.Increment(ref flakyCalls) == 1 ? AgentResult.Failure(ErrorKind.Transient, "blip") : AgentResult.Success(input));
        var inner = new SequentialBuilder("inner").Then(expensive).Then(flaky, retry: RetryPolicy.None).Build();
        var report = Agent.Create("report", (input, context) => AgentResult.Success(Payload.From(context.State.Get<string[]>("log"))));
        var workflow = new WorkflowBuilder("outer")
            .DeclareState("log", StateReducer.Append)
            .AddStep(inner.AsAgent(), "nested", retry: RetryPolicy.Default with { InitialDelay = TimeSpan.FromMilliseconds(1), Jitter = false })
            .AddStep(report)
            .AddEdge("nested", "report")
            .Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "x");

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(1, calls["expensive"]);
        Assert.Equal(2, flakyCalls);
        Assert.Equal("""["expensive ran"]""", result.Output!.AsText()); // state applied once
        var keys = (await runtime.Store.ReadJournalAsync(result.RunId)).Where(e => e.Kind == JournalEntryKind.StepCompleted).Select(e => e.Key).ToArray();
        Assert.Equal(keys.Length, keys.Distinct().Count());
    }

    [Fact]
    public async Task A_step_timeout_starts_when_the_step_may_run_not_while_it_queues_for_a_slot()
    {
        var time = new FakeTime();
        var worker = Agent.Create("w", async (input, ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(3), time, ct);
            return input;
        });
        var body = new SequentialBuilder("body").Then(worker, timeout: TimeSpan.FromSeconds(5), retry: RetryPolicy.None).Build();
        var workflow = new WorkflowBuilder("each").AddStep(new ForEachStep("each", body)).Build();
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = time });

        var run = runtime.Start(workflow, Payload.ParseJson("[1,2]"), new RunOptions { Limits = new RunLimits { MaxParallel = 1, Timeout = null } });
        // The first item's 3 s pass once its delay is armed, then the second's once its own delay is armed (due exactly
        // 3 s later: the first item's 5 s timeout, due sooner, may not be disposed yet on a busy machine, and is no
        // proof of anything): had the second item's 5 s started while it queued, they would end at 5 s, before its work at 6 s.
        await time.AdvanceToTimerAsync(TimeSpan.FromSeconds(3));
        await time.WaitForTimerAsync(TimeSpan.FromSeconds(3));
        time.Advance(TimeSpan.FromSeconds(3));
        var result = await run.Completion.Within();

        // Each item needs 3 s of its 5 s budget; the second waited 3 s for the only slot first.
        Assert.Equal(RunStatus.Succeeded, result.Status);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(60 * 24 * 3600.0)]
    public void Timeouts_a_timer_cannot_honour_are_refused_when_the_workflow_is_built(double seconds)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AgentStep(Agent.Identity("a")) { Timeout = TimeSpan.FromSeconds(seconds) });
        Assert.Equal("Timeout", error.ParamName);
    }

    [Fact]
    public async Task A_run_deadline_a_timer_cannot_honour_is_refused_at_start()
    {
        await using var runtime = new BatonRuntime();
        var workflow = SequentialBuilder.Create("w", Agent.Identity("a"));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => runtime.Start(workflow, "x", new RunOptions { Limits = new RunLimits { Timeout = TimeSpan.FromDays(60) } }));

        Assert.Contains("49.7 days", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Fails the append of one step's completion, as a disk that fills up would.</summary>
    private sealed class FailingOnStepStore(string stepId) : DelegatingRunStore(new InMemoryRunStore())
    {
        public override ValueTask<JournalEntry> AppendAsync(RunLease lease, JournalEntry entry, CancellationToken cancellationToken = default) =>
            entry.StepId == stepId && entry.Kind == JournalEntryKind.StepCompleted ? throw new IOException("disk full") : base.AppendAsync(lease, entry, cancellationToken);
    }

    [Fact]
    public async Task A_store_failure_in_one_branch_stops_the_others_before_the_run_ends()
    {
        var slowStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slowCancelled = false;
        var fast = Agent.Create("fast", async (input, ct) =>
        {
            await slowStarted.Task.WaitAsync(ct);
            return Payload.FromText("fast");
        });
        var slow = Agent.Create("slow", async (_, _, ct) =>
        {
            slowStarted.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                slowCancelled = true;
                throw;
            }

            return AgentResult.Success("never");
        });
        var store = new FailingOnStepStore("fast");
        await using var runtime = new BatonRuntime(new BatonOptions { Store = store });

        var result = await runtime.RunAsync(new ParallelBuilder("p").Branch(fast).Branch(slow).Build(), "x").WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("disk full", result.Error!.Message, StringComparison.Ordinal);
        Assert.True(slowCancelled, "the sibling branch saw its cancellation");
        Assert.Equal(JournalEntryKind.RunFailed, (await store.ReadJournalAsync(result.RunId))[^1].Kind);
    }
}
