namespace Baton.Tests.Patterns;

public sealed class FanOutFailureTests
{
    [Fact]
    public async Task The_error_names_the_branch_that_failed_first_not_a_sibling_that_failed_on_cancellation()
    {
        var politeWaiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // An SDK-style wrapper that turns its cancellation into an ordinary failure.
        var polite = Agent.Create("polite", async (_, _, ct) =>
        {
            politeWaiting.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                return AgentResult.Failure(ErrorKind.Recoverable, "aborted by caller");
            }

            return AgentResult.Success("never");
        });
        var broken = Agent.Create("broken", async (_, _, _) =>
        {
            await politeWaiting.Task;
            return AgentResult.Failure(ErrorKind.Fatal, "root cause");
        });
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(new ParallelBuilder("p").Branch(polite).Branch(broken).Build(), "x").WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("branch 'broken' failed: root cause", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_fan_out_keeps_what_a_cancelled_branch_had_completed()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var longBranch = new SequentialBuilder("long")
            .Then(Agent.Create("step1", _ => Payload.FromText("expensive result")))
            .Then(Agent.Create("step2", async (_, _, ct) =>
            {
                started.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
                return AgentResult.Success("never");
            }))
            .Build();
        var broken = Agent.Create("broken", async (_, _, _) =>
        {
            await started.Task;
            return AgentResult.Failure(ErrorKind.Fatal, "boom");
        });
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(new ParallelBuilder("p").Branch("long", longBranch).Branch(broken).Build(), "x").WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("expensive result", result.Partial!.AsJson().GetProperty("p").GetProperty("long").GetProperty("step1").GetString());
    }

    [Fact]
    public async Task A_parallel_step_that_times_out_keeps_its_finished_branches()
    {
        var time = new FakeTime();
        var quick = Agent.Create("quick", _ => Payload.FromText("done early"));
        var hanging = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hang = Agent.Create("hang", async (_, _, ct) =>
        {
            hanging.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return AgentResult.Success("never");
        });
        var fan = new ParallelBuilder("p").Branch(quick).Branch(hang).BuildStep();
        var workflow = new WorkflowBuilder("w").AddStep(new ParallelStep(fan.Id, fan.Branches) { Timeout = TimeSpan.FromSeconds(5) }).Build();
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = time });

        var run = runtime.Start(workflow, "x", new RunOptions { Limits = new RunLimits { Timeout = null } });
        // The 5 s pass once the quick branch is committed and the other hangs.
        await run.EventAsync(e => e is StepCompletedEvent { StepId: "quick" });
        await hanging.Task.Within();
        await time.AdvanceToTimerAsync(TimeSpan.FromSeconds(5));
        var result = await run.Completion.Within();

        Assert.Equal("timeout", result.Error!.Code);
        Assert.Equal("done early", result.Partial!.AsJson().GetProperty("p").GetProperty("quick/1:quick").GetString());
    }
}
