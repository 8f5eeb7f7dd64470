namespace Baton.Tests.Runs;

/// <summary>A run's handle is in the active-run table before its run's task exists: its Completion must never be null.</summary>
public sealed class RunHandleCompletionTests
{
    [Fact]
    public async Task A_run_sees_its_own_handle_with_a_completion_while_it_runs()
    {
        // RunAsync on the in-memory store reaches the first agent without leaving the caller's thread,
        // i.e. before the runtime has attached the run's task to the handle.
        await using var runtime = new BatonRuntime();
        Task<RunResult>? seen = null;
        var probe = Agent.Create("probe", (input, context) =>
        {
            seen = runtime.GetActiveRun(context.RunId)?.Completion;
            return AgentResult.Success(input);
        });

        var result = await runtime.RunAsync(Workflow.Of(probe), "x").Within();

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.NotNull(seen);
        Assert.Same(result, await seen.Within());
    }

    [Fact]
    public async Task A_new_handle_has_a_pending_completion_that_follows_the_run_attached_later()
    {
        using var cts = new CancellationTokenSource();
        var handle = new RunHandle("r1", new RunEventLog(), cts);
        Assert.NotNull(handle.Completion);
        Assert.False(handle.Completion.IsCompleted);

        var run = new TaskCompletionSource<RunResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        handle.CompleteFrom(run.Task);
        Assert.False(handle.Completion.IsCompleted);
        var result = new RunResult("r1", RunStatus.Succeeded, Payload.FromText("done"), null, Usage.None, 1);
        run.SetResult(result);

        Assert.Same(result, await handle.Completion.Within());
    }

    [Fact]
    public async Task A_run_task_that_faults_faults_the_completion_with_the_same_exception()
    {
        using var cts = new CancellationTokenSource();
        var handle = new RunHandle("r2", new RunEventLog(), cts);
        var failure = new InvalidOperationException("the host broke");

        handle.CompleteFrom(Task.FromException<RunResult>(failure));

        Assert.Same(failure, await Assert.ThrowsAsync<InvalidOperationException>(() => handle.Completion.Within()));
    }
}
