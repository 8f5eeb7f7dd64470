using Baton.Storage;

namespace Baton.Tests.Engine;

public sealed class ErrorHandlingTests
{
    // No run deadline where it is not the subject: fake time must only ever jump to a timer the step or a retry set,
    // never to the deadline while the run is still on its way to setting one.
    private static readonly RunLimits NoDeadline = RunLimits.Default with { Timeout = null };

    [Fact]
    public async Task A_transient_error_is_retried_with_backoff_on_the_runs_clock()
    {
        using var script = new AgentScript();
        var flaky = script.Agent("flaky").Fails(ErrorKind.Transient, "503").Fails(ErrorKind.Transient, "503").Returns("ok");
        var time = new FakeTime();
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = time, Limits = NoDeadline });
        var started = time.GetUtcNow();

        var run = runtime.Start(SequentialBuilder.Create("retry", flaky), "x");
        // Each backoff is armed before the clock moves past it: at most 200 ms, then at most 400 ms.
        await time.AdvanceToTimerAsync(TimeSpan.FromMilliseconds(200));
        await time.AdvanceToTimerAsync(TimeSpan.FromMilliseconds(400));
        var result = await run.Completion.Within();

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal([1, 2, 3], flaky.Calls.Select(c => c.Attempt));
        Assert.Single(flaky.Calls.Select(c => c.IdempotencyKey).Distinct());
        var retries = run.EventsSoFar.OfType<StepRetryingEvent>().ToArray();
        Assert.Equal(2, retries.Length);
        // 200 ms then 400 ms, each jittered down to no less than half.
        Assert.InRange(retries[0].Delay, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200));
        Assert.InRange(retries[1].Delay, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400));
        Assert.True(time.GetUtcNow() - started >= retries[0].Delay + retries[1].Delay, $"elapsed {time.GetUtcNow() - started}, delays {retries[0].Delay} {retries[1].Delay}");
        var journal = await runtime.Store.ReadJournalAsync(result.RunId);
        Assert.Equal(3, journal.Single(e => e.Kind == JournalEntryKind.StepCompleted).Attempts);
    }

    [Fact]
    public async Task Retry_after_from_the_service_is_honoured()
    {
        using var script = new AgentScript();
        var limited = script.Agent("limited").Fails(ErrorKind.Transient, "429", retryAfter: TimeSpan.FromSeconds(7)).Returns("ok");
        var time = new FakeTime();
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = time, Limits = NoDeadline });

        var run = runtime.Start(SequentialBuilder.Create("rate", limited), "x");
        await time.AdvanceToTimerAsync(TimeSpan.FromSeconds(7));
        var result = await run.Completion.Within();

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(TimeSpan.FromSeconds(7), run.EventsSoFar.OfType<StepRetryingEvent>().Single().Delay);
    }

    [Fact]
    public async Task A_fatal_error_is_not_retried()
    {
        using var script = new AgentScript();
        var broken = script.Agent("broken").Fails(ErrorKind.Fatal, "401 unauthorized");
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(SequentialBuilder.Create("fatal", broken), "x");

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal(ErrorKind.Fatal, result.Error!.Kind);
        Assert.Equal("401 unauthorized", result.Error.Message);
    }

    [Fact]
    public async Task A_recoverable_error_goes_to_the_error_route_without_retry_unless_asked()
    {
        using var script = new AgentScript();
        var once = script.Agent("once").Fails(ErrorKind.Recoverable, "bad format");
        var twice = script.Agent("twice").Fails(ErrorKind.Recoverable, "bad format").Returns("fixed");
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = new FakeTime() });

        var first = await runtime.RunAsync(SequentialBuilder.Create("a", once), "x");
        var retrying = new SequentialBuilder("b").Then(twice, retry: RetryPolicy.Default with { RetryRecoverable = true, InitialDelay = TimeSpan.Zero }).Build();
        var second = await runtime.RunAsync(retrying, "x");

        Assert.Equal(RunStatus.Failed, first.Status);
        Assert.Equal("fixed", second.Output!.AsText());
    }

    [Fact]
    public async Task A_step_that_times_out_is_retried_then_fails_with_a_timeout_error()
    {
        var attempts = 0;
        using var entered = new SemaphoreSlim(0);
        var hang = Agent.Create("hang", async (_, _, ct) =>
        {
            Interlocked.Increment(ref attempts);
            entered.Release();
            await Task.Delay(Timeout.Infinite, ct);
            return AgentResult.Success("never");
        });
        var time = new FakeTime();
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = time, Limits = NoDeadline });
        var workflow = new SequentialBuilder("slow").Then(hang, timeout: TimeSpan.FromSeconds(5), retry: RetryPolicy.Default with { MaxAttempts = 2 }).Build();

        var run = runtime.Start(workflow, "x");
        // The clock passes the step's 5 s only once an attempt is hanging in the agent, and the backoff once it is armed.
        Assert.True(await entered.WaitAsync(Waits.Timeout));
        await time.AdvanceToTimerAsync(TimeSpan.FromSeconds(5));
        await time.AdvanceToTimerAsync(TimeSpan.FromMilliseconds(200));
        Assert.True(await entered.WaitAsync(Waits.Timeout));
        await time.AdvanceToTimerAsync(TimeSpan.FromSeconds(5));
        var result = await run.Completion.Within();

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal(2, attempts);
        Assert.Equal("timeout", result.Error!.Code);
        Assert.Equal(ErrorKind.Transient, result.Error.Kind);
        Assert.Contains("timed out after 00:00:05", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_run_deadline_fails_the_run_with_what_was_done()
    {
        var done = Agent.Create("done", _ => Payload.FromText("first"));
        var hanging = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hang = Agent.Create("hang", async (_, _, ct) =>
        {
            hanging.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return AgentResult.Success("never");
        });
        var time = new FakeTime();
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = time });
        var workflow = new SequentialBuilder("late").Then(done).Then(hang).WithLimits(new RunLimits { Timeout = TimeSpan.FromMinutes(1) }).Build();

        // The minute passes once the second step hangs, so "done" has been committed (a jump while it ran would lose it).
        var run = runtime.Start(workflow, "x");
        await hanging.Task.Within();
        time.Advance(TimeSpan.FromMinutes(1));
        var result = await run.Completion.Within();

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("deadline", result.Error!.Code);
        Assert.Equal("first", result.Partial!.AsJson().GetProperty("done").GetString());
    }

    [Fact]
    public async Task An_exception_thrown_by_an_agent_is_classified_and_routed()
    {
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = new FakeTime() });
        async Task<StepError> FailWith(Exception ex) =>
            (await runtime.RunAsync(new SequentialBuilder("t").Then(Agent.Create("boom", (Func<Payload, Payload>)(_ => throw ex)), retry: RetryPolicy.None).Build(), "x")).Error!;

        Assert.Equal(ErrorKind.Transient, (await FailWith(new HttpRequestException("busy", null, System.Net.HttpStatusCode.TooManyRequests))).Kind);
        Assert.Equal(ErrorKind.Fatal, (await FailWith(new HttpRequestException("no", null, System.Net.HttpStatusCode.Unauthorized))).Kind);
        Assert.Equal(ErrorKind.Transient, (await FailWith(new TimeoutException("slow"))).Kind);
        Assert.Equal(ErrorKind.Recoverable, (await FailWith(new FormatException("garbled reply"))).Kind);
        var custom = await FailWith(new AgentException(ErrorKind.Fatal, "quota gone") { RetryAfter = TimeSpan.FromSeconds(3) });
        Assert.Equal((ErrorKind.Fatal, "quota gone", "boom"), (custom.Kind, custom.Message, custom.StepId));
        Assert.Equal(typeof(AgentException).FullName, custom.ExceptionType);
    }

    [Fact]
    public async Task An_oversized_output_fails_once_without_retry()
    {
        var calls = 0;
        var big = Agent.Create("big", _ =>
        {
            Interlocked.Increment(ref calls);
            return Payload.FromText(new string('x', 2000));
        });
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(SequentialBuilder.Create("big", big), "x", new RunOptions { Limits = new RunLimits { MaxPayloadBytes = 1000 } });

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("payload_size", result.Error!.Code);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task A_token_budget_overrun_stops_the_run_with_partial_results()
    {
        var spender = Agent.Create("spend", (input, _, _) => new ValueTask<AgentResult>(AgentResult.Success(input, usage: new Usage(60, 0, 0.01m))));
        await using var runtime = new BatonRuntime();
        var workflow = new SequentialBuilder("budget").Then(spender, "s1").Then(spender, "s2").Then(spender, "s3").Build();

        var result = await runtime.RunAsync(workflow, "x", new RunOptions { Limits = new RunLimits { MaxTokens = 100 } });

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("budget", result.Error!.Code);
        Assert.Equal(120, result.Usage.TotalTokens);
        Assert.Equal("x", result.Partial!.AsJson().GetProperty("s2").GetString());
        Assert.False(result.Partial.AsJson().TryGetProperty("s3", out _));
    }

    [Fact]
    public async Task A_condition_that_throws_fails_the_step_clearly()
    {
        var workflow = new WorkflowBuilder("c")
            .AddStep(Agent.Identity("a"))
            .AddStep(Agent.Identity("b"))
            .AddEdge("a", "b", _ => throw new InvalidOperationException("no field 'score'"))
            .Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "x");

        Assert.Equal("condition", result.Error!.Code);
        Assert.Contains("no field 'score'", result.Error.Message, StringComparison.Ordinal);
    }
}
