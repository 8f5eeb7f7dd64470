namespace Baton.Testing.Tests;

public sealed class ScriptedAgentTests
{
    [Fact]
    public async Task Plays_its_script_in_order_and_records_each_call()
    {
        var agent = new ScriptedAgent("a").Returns("one").Fails(ErrorKind.Transient, "busy", TimeSpan.FromSeconds(2)).Returns("three", 0.5);
        var context = new RecordingStepContext { Attempt = 2 };

        var first = await agent.InvokeAsync("x", context, CancellationToken.None);
        var second = await agent.InvokeAsync("y", context, CancellationToken.None);
        var third = await agent.InvokeAsync("z", context, CancellationToken.None);

        Assert.Equal("one", first.Output.AsText());
        Assert.Equal((ErrorKind.Transient, "busy", TimeSpan.FromSeconds(2)), (second.Error!.Kind, second.Error.Message, second.Error.RetryAfter));
        Assert.Equal(0.5, third.Confidence);
        Assert.Equal(["x", "y", "z"], agent.Calls.Select(c => c.Input.AsText()));
        Assert.All(agent.Calls, c => Assert.Equal(2, c.Attempt));
        agent.Verify();
    }

    [Fact]
    public async Task A_call_beyond_the_script_fails_the_step_and_verification()
    {
        var agent = new ScriptedAgent("a").Returns("only");
        await agent.InvokeAsync("x", new RecordingStepContext(), CancellationToken.None);

        var extra = await agent.InvokeAsync("x", new RecordingStepContext(), CancellationToken.None);

        Assert.Equal(ErrorKind.Fatal, extra.Error!.Kind);
        Assert.Contains("called 2 times but scripted for 1", extra.Error.Message, StringComparison.Ordinal);
        Assert.Throws<ScriptMismatchException>(agent.Verify);
    }

    [Fact]
    public void A_script_not_played_to_its_end_fails_when_disposed()
    {
        var script = new AgentScript();
        script.Agent("lazy").Returns("never asked");

        var error = Assert.Throws<ScriptMismatchException>(script.Dispose);

        Assert.Contains("'lazy' was called 0 time(s) but scripted for 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Then_always_allows_any_number_of_further_calls()
    {
        var agent = new ScriptedAgent("echo").ThenAlways(input => input);
        for (var i = 0; i < 5; i++) Assert.Equal("hi", (await agent.InvokeAsync("hi", new RecordingStepContext(), CancellationToken.None)).Output.AsText());
        agent.Verify();
    }
}

public sealed class RecordingStepContextTests
{
    [Fact]
    public async Task Records_what_an_agent_does_and_shows_its_writes_only_after_commit_as_the_engine_does()
    {
        var agent = Agent.Create("note", (input, context, _) =>
        {
            context.SetState("count", Payload.From(context.State.Get<int>("count") + 1));
            context.Publish("notes.added", input);
            context.Report("progress", "done");
            return new ValueTask<AgentResult>(AgentResult.Success(Payload.From(context.State.Get<int>("count"))));
        });
        var context = new RecordingStepContext().WithState("count", Payload.From(41));

        var result = await agent.InvokeAsync("hello", context, CancellationToken.None);

        Assert.Equal(41, result.Output.Get<int>()); // its own write is not visible before the step commits
        Assert.Equal("count", Assert.Single(context.Writes).Name);
        Assert.Equal(42, context.Commit().State.Get<int>("count"));
        Assert.Equal(("notes.added", "hello"), (context.Published[0].Topic, context.Published[0].Payload.AsText()));
        Assert.Equal("progress", Assert.Single(context.Reports).Name);
    }
}

public sealed class FakeTimeTests
{
    [Fact]
    public async Task Advancing_to_a_timer_waits_for_it_to_be_armed_and_stops_where_it_fires()
    {
        var time = new FakeTime();
        var start = time.GetUtcNow();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<int> Work()
        {
            await go.Task;
            await Task.Delay(TimeSpan.FromHours(1), time);
            await Task.Delay(TimeSpan.FromMinutes(5), time);
            return 7;
        }

        var work = Task.Run(Work);
        // A timer due later than asked for (a deadline) is no reason to move.
        using var deadline = new CancellationTokenSource(TimeSpan.FromHours(2), time);
        var first = time.AdvanceToTimerAsync(TimeSpan.FromHours(1));
        Assert.False(first.IsCompleted);
        go.SetResult();

        Assert.Equal(TimeSpan.FromHours(1), await first);
        Assert.Equal(TimeSpan.FromMinutes(5), await time.AdvanceToTimerAsync(TimeSpan.FromHours(1)));
        Assert.Equal(7, await work.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(TimeSpan.FromMinutes(65), time.GetUtcNow() - start);
        Assert.False(deadline.IsCancellationRequested);
    }

    [Fact]
    public async Task Advancing_fails_clearly_when_no_timer_is_armed_in_time()
    {
        var time = new FakeTime();
        using var later = new CancellationTokenSource(TimeSpan.FromMinutes(10), time);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => time.AdvanceToTimerAsync(TimeSpan.FromMinutes(1), guard: TimeSpan.FromMilliseconds(1)));

        Assert.Contains("no timer due within 00:01:00 was armed; 1 pending", error.Message, StringComparison.Ordinal);
        Assert.Equal(time.Start, time.GetUtcNow());
    }

    [Fact]
    public async Task Waits_for_a_timer_due_at_an_exact_time_whatever_else_is_pending()
    {
        var time = new FakeTime();
        using var sooner = new CancellationTokenSource(TimeSpan.FromSeconds(5), time);
        var waiting = time.WaitForTimerAsync(TimeSpan.FromSeconds(15));
        Assert.False(waiting.IsCompleted);

        using var exact = new CancellationTokenSource(TimeSpan.FromSeconds(15), time);

        await waiting.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Knows_which_timers_are_pending()
    {
        var time = new FakeTime();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30), time);

        await time.WaitForPendingTimersAsync(1);
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(30), time.NextDue);
        time.Advance(TimeSpan.FromSeconds(30));

        Assert.True(cts.IsCancellationRequested);
        Assert.Equal(0, time.PendingTimers);
    }
}
