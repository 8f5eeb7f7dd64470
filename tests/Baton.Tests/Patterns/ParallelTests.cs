using Baton.Storage;

namespace Baton.Tests.Patterns;

public sealed class ParallelTests
{
    private static ValueTask<AgentResult> Ok(Payload output) => new(AgentResult.Success(output));

    [Fact]
    public async Task Branches_run_at_once_every_one_reaching_a_barrier()
    {
        // Each branch waits at a barrier that only opens when all three are inside: a lock-step
        // or serial engine would never get past it.
        using var barrier = new Barrier(3);
        IAgent Branch(string name) => Agent.Create(name, (input, ct) => Task.Run(() =>
        {
            Assert.True(barrier.SignalAndWait(TimeSpan.FromSeconds(10), ct), "every branch must be running at the same time");
            return Payload.FromText(name);
        }, ct));
        var workflow = new ParallelBuilder("fan").Branch(Branch("a")).Branch(Branch("b")).Branch(Branch("c")).Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "go");

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("""["a","b","c"]""", result.Output!.AsText());
    }

    [Fact]
    public async Task A_slow_branch_does_not_hold_back_a_fast_branch_in_lock_step()
    {
        // The fast branch runs three steps while the slow branch's single step is still blocked.
        var slowGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var fastDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var fast = SequentialBuilder.Create("fast",
            Agent.Create("f1", i => Payload.FromText(i + "1")),
            Agent.Create("f2", i => Payload.FromText(i + "2")),
            Agent.Create("f3", (i, _, _) =>
            {
                fastDone.TrySetResult();
                return Ok(Payload.FromText(i + "3"));
            }));
        var slow = Agent.Create("slow", async (i, _, ct) =>
        {
            await slowGate.Task.WaitAsync(ct);
            return AgentResult.Success("slow");
        });
        var workflow = new ParallelBuilder("uneven").Branch("fast", fast).Branch(slow).MergeWith(Merge.ByName).Build();
        await using var runtime = new BatonRuntime();

        var run = runtime.Start(workflow, "x");
        await fastDone.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(run.Completion.IsCompleted);
        var completedWhileSlowBlocked = run.EventsSoFar.OfType<StepCompletedEvent>().Select(e => e.StepId).ToArray();
        Assert.Contains("f2", completedWhileSlowBlocked);
        slowGate.SetResult();
        var result = await run.Completion;

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("""{"fast":"x123","slow":"slow"}""", result.Output!.AsText());
    }

    [Fact]
    public async Task Merges_by_list_name_concat_function_and_agent()
    {
        var a = Agent.Create("a", _ => Payload.FromText("alpha"));
        var b = Agent.Create("b", _ => Payload.From(new { n = 2 }));
        await using var runtime = new BatonRuntime();
        async Task<string> Run(Merge merge) =>
            (await runtime.RunAsync(new ParallelBuilder("p").Branch(a).Branch(b).MergeWith(merge).Build(), "in")).Output!.AsText();

        Assert.Equal("""["alpha",{"n":2}]""", await Run(Merge.List));
        Assert.Equal("""{"a":"alpha","b":{"n":2}}""", await Run(Merge.ByName));
        Assert.Equal("alpha\n\n{\"n\":2}", await Run(Merge.Concat));
        Assert.Equal("a+b", await Run(Merge.Custom(branches => string.Join("+", branches.Select(x => x.Name)))));
        var judge = Agent.Create("judge", input => Payload.FromText($"{input.AsJson().GetArrayLength()} answers, first {input.AsJson()[0].GetProperty("output")}"));
        Assert.Equal("2 answers, first alpha", await Run(Merge.WithAgent(judge)));
    }

    [Fact]
    public async Task A_failing_branch_cancels_its_siblings_and_the_fallback_gets_their_partial_results()
    {
        var siblingCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var siblingStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var done = Agent.Create("done", _ => Payload.FromText("kept"));
        var blocked = Agent.Create("blocked", async (_, _, ct) =>
        {
            siblingStarted.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                siblingCancelled.TrySetResult();
                throw;
            }

            return AgentResult.Success("never");
        });
        var broken = Agent.Create("broken", async (_, _, _) =>
        {
            await siblingStarted.Task;
            return AgentResult.Failure(ErrorKind.Fatal, "tool crashed");
        });
        var fallback = Agent.Create("fallback", input => input);
        var workflow = new WorkflowBuilder("guarded")
            .AddStep(new ParallelBuilder("fan").Branch(done).Branch(blocked).Branch(broken).BuildStep())
            .AddStep(fallback)
            .OnError("fan", "fallback")
            .Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "in");

        Assert.True(siblingCancelled.Task.IsCompleted, "the blocked sibling saw its token cancelled");
        Assert.Equal(RunStatus.Succeeded, result.Status);
        var envelope = result.Output!.AsJson();
        Assert.Equal("fan", envelope.GetProperty("error").GetProperty("step").GetString());
        Assert.Contains("branch 'broken' failed: tool crashed", envelope.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("kept", envelope.GetProperty("partial").GetProperty("fan").GetProperty("done").GetString());
    }

    [Fact]
    public async Task Collect_mode_hands_every_outcome_to_the_merge()
    {
        var ok = Agent.Create("ok", _ => Payload.FromText("fine"));
        var bad = Agent.Create("bad", (_, _, _) => new ValueTask<AgentResult>(AgentResult.Failure(ErrorKind.Recoverable, "nope")));
        var workflow = new ParallelBuilder("fan").Branch(ok).Branch(bad)
            .OnBranchFailure(BranchFailureMode.Collect)
            .MergeWith(Merge.Custom(r => string.Join(",", r.Select(x => $"{x.Name}:{x.Status}:{x.Error?.Message}"))))
            .Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "in");

        Assert.Equal("ok:Succeeded:,bad:Failed:nope", result.Output!.AsText());
    }

    [Fact]
    public async Task Foreach_runs_the_worker_per_item_and_keeps_item_order()
    {
        var decomposer = Agent.Create("split", input => Payload.From(input.AsText().Split(' ')));
        var worker = Agent.Create("upper", async (input, ct) =>
        {
            // Later items finish first: the merge must still follow item order.
            await Task.Delay(input.AsText().Length == 1 ? 30 : 0, ct);
            return Payload.FromText(input.AsText().ToUpperInvariant());
        });
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(ParallelBuilder.ForEach("each", decomposer, worker), "a bb ccc");

        Assert.Equal("""["A","BB","CCC"]""", result.Output!.AsText());
        var journal = await runtime.Store.ReadJournalAsync(result.RunId);
        Assert.Contains(journal, e => e.Key == "2:foreach/2/1:upper" && e.Payload!.AsText() == "CCC");
    }

    [Fact]
    public async Task A_fan_out_wider_than_the_limit_fails_clearly()
    {
        var decomposer = Agent.Create("split", _ => Payload.From(Enumerable.Range(0, 11).ToArray()));
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(ParallelBuilder.ForEach("each", decomposer, Agent.Identity("w")), "x",
            new RunOptions { Limits = new RunLimits { MaxFanOut = 10 } });

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("fan_out", result.Error!.Code);
        Assert.Contains("11 branches, over the limit of 10", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrency_is_bounded_by_max_parallel()
    {
        var running = 0;
        var peak = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var twoInside = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var worker = Agent.Create("w", async (input, _, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            if (now == 2) twoInside.TrySetResult();
            await release.Task.WaitAsync(ct);
            Interlocked.Decrement(ref running);
            return AgentResult.Success(input);
        });
        var items = Agent.Create("items", _ => Payload.From(Enumerable.Range(0, 6).ToArray()));
        await using var runtime = new BatonRuntime();

        var run = runtime.Start(ParallelBuilder.ForEach("each", items, worker), "x", new RunOptions { Limits = new RunLimits { MaxParallel = 2 } });
        await twoInside.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, Volatile.Read(ref running));
        release.SetResult();
        var result = await run.Completion;

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(2, peak);
    }

    [Fact]
    public async Task Cancelling_mid_fan_out_cancels_every_branch_and_leaves_a_consistent_journal()
    {
        const int width = 5;
        var started = new CountdownEvent(width);
        var cancelled = 0;
        var worker = Agent.Create("w", async (_, _, ct) =>
        {
            started.Signal();
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
        var items = Agent.Create("items", _ => Payload.From(Enumerable.Range(0, width).ToArray()));
        var workflow = ParallelBuilder.ForEach("each", items, worker);
        await using var runtime = new BatonRuntime();

        var run = runtime.Start(workflow, "x");
        Assert.True(started.Wait(TimeSpan.FromSeconds(10)));
        run.Cancel();
        var result = await run.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(RunStatus.Cancelled, result.Status);
        Assert.Equal(width, cancelled);
        var journal = await runtime.Store.ReadJournalAsync(result.RunId);
        Assert.Equal([JournalEntryKind.RunStarted, JournalEntryKind.StepCompleted, JournalEntryKind.RunCancelled], journal.Select(e => e.Kind));
        Assert.Equal("1:decompose", journal[1].Key);
        Assert.Equal(RunStatus.Cancelled, (await runtime.Store.GetRunAsync(result.RunId))!.Status);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
