using Baton.Storage;

namespace Baton.Tests.Durability;

/// <summary>Two runtimes sharing a store (two processes) never advance one run at once.</summary>
public sealed class LeaseTests
{
    /// <summary>An agent that says when it has started and waits for the gate to open.</summary>
    private static (IAgent Agent, TaskCompletionSource Started, TaskCompletionSource Gate) Slow()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var agent = Agent.Create("slow", async (input, _, ct) =>
        {
            started.TrySetResult();
            await gate.Task.WaitAsync(ct);
            return AgentResult.Success(input);
        });
        return (agent, started, gate);
    }

    [Fact]
    public async Task A_run_held_by_a_live_runtime_cannot_be_resumed_by_another()
    {
        var store = new InMemoryRunStore();
        var (slow, started, gate) = Slow();
        var workflow = new SequentialBuilder("held").Then(slow).Build();
        await using var first = new BatonRuntime(new BatonOptions { Store = store, Owner = "first" });
        await using var second = new BatonRuntime(new BatonOptions { Store = store, Owner = "second" });
        var run = first.Start(workflow, "x");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => second.ResumeAsync(run.RunId, workflow));
        Assert.Contains("held by 'first'", refused.Message);
        Assert.Empty(await second.FindInterruptedRunsAsync());

        gate.SetResult();
        Assert.Equal(RunStatus.Succeeded, (await run.Completion.WaitAsync(TimeSpan.FromSeconds(10))).Status);
        Assert.Null((await store.GetRunAsync(run.RunId))!.LeaseOwner);
    }

    [Fact]
    public async Task A_runtime_whose_lease_was_taken_cannot_commit_another_step()
    {
        var time = new FakeTime();
        var store = new InMemoryRunStore(time);
        var (slow, started, gate) = Slow();
        var workflow = new SequentialBuilder("stolen").Then(slow).Build();
        await using var first = new BatonRuntime(new BatonOptions { Store = store, Owner = "first", TimeProvider = time, Limits = RunLimits.Default with { Timeout = null } });
        var run = first.Start(workflow, "x");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // The first process stops renewing (as a hung or partitioned one would) and its lease runs out.
        time.Advance(TimeSpan.FromMinutes(1));
        var taken = await store.TryAcquireLeaseAsync(run.RunId, "second", TimeSpan.FromMinutes(1));
        Assert.NotNull(taken);
        gate.SetResult();
        var result = await run.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("lease_lost", result.Error!.Code);
        Assert.Contains("lost the lease", result.Error.Message);
        var journal = await store.ReadJournalAsync(run.RunId);
        Assert.DoesNotContain(journal, e => e.Kind == JournalEntryKind.StepCompleted);
    }

    [Fact]
    public async Task Interrupted_runs_are_those_whose_lease_ran_out_and_they_can_be_resumed_automatically()
    {
        var time = new FakeTime();
        var store = new InMemoryRunStore(time);
        var workflow = new SequentialBuilder("interrupted").Then(Agent.Create("echo", p => p)).Build();
        var crashed = await store.CreateRunAsync(new RunRecord { RunId = "crashed-run", Workflow = "interrupted", Status = RunStatus.Running, StartedAt = time.GetUtcNow() }, "dead-process", TimeSpan.FromSeconds(30));
        await store.AppendAsync(crashed, new JournalEntry { Kind = JournalEntryKind.RunStarted, Payload = Payload.FromText("hello"), Timestamp = time.GetUtcNow() });
        await using var runtime = new BatonRuntime(new BatonOptions { Store = store, TimeProvider = time });
        runtime.Register(workflow);

        Assert.Empty(await runtime.FindInterruptedRunsAsync()); // its owner may still be alive
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal("crashed-run", Assert.Single(await runtime.FindInterruptedRunsAsync()).RunId);

        var handles = await runtime.ResumeInterruptedRunsAsync();
        var result = await Assert.Single(handles).Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("hello", result.Output!.AsText());
    }
}
