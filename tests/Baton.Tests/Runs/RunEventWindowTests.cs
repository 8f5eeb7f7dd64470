namespace Baton.Tests.Runs;

/// <summary>A run's events take memory that does not grow with the run: a window for late watchers, a bounded buffer per watcher.</summary>
public sealed class RunEventWindowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_long_loop_with_no_watcher_keeps_at_most_the_window()
    {
        var workflow = new StateMachineBuilder("spin-forever").State("spin", Agent.Identity("spin")).Transition("spin", "spin").Build();
        await using var runtime = new BatonRuntime();

        var run = runtime.Start(workflow, "x", new RunOptions { Limits = new RunLimits { MaxSteps = 50_000, Timeout = null } });
        var result = await run.Completion.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal("step_limit", result.Error?.Code);
        Assert.Equal(50_001, result.StepCount);
        Assert.True(run.EventLog.TotalCount > 100_000, $"only {run.EventLog.TotalCount} events");
        Assert.Equal(RunEventLog.DefaultWindow, run.EventLog.RetainedCount);
        Assert.Equal(RunEventLog.DefaultWindow, run.EventsSoFar.Count);
        Assert.IsType<RunEndedEvent>(run.EventsSoFar[^1]);
        Assert.Equal(0, run.EventLog.WatcherCount);
    }

    [Fact]
    public async Task A_watcher_that_keeps_up_sees_every_event_however_many_pass_through_a_small_window()
    {
        var log = new RunEventLog(window: 3);
        await using var reader = log.ReadAllAsync().GetAsyncEnumerator();
        var next = reader.MoveNextAsync();
        Assert.False(next.IsCompleted);

        for (var i = 0; i < 20; i++)
        {
            log.Add(Custom(i));
            Assert.True(await next.AsTask().Within());
            Assert.Equal($"e{i}", Assert.IsType<CustomRunEvent>(reader.Current).Name);
            next = reader.MoveNextAsync();
        }

        log.Complete();
        Assert.False(await next.AsTask().Within());
        Assert.Equal(3, log.RetainedCount);
    }

    [Fact]
    public async Task A_watcher_that_falls_behind_loses_the_oldest_unread_events_and_is_told_how_many()
    {
        var log = new RunEventLog(window: 4);
        log.Add(Custom(0));
        await using var reader = log.ReadAllAsync().GetAsyncEnumerator();
        Assert.True(await reader.MoveNextAsync());
        Assert.Equal("e0", ((CustomRunEvent)reader.Current).Name);

        // The watcher stops reading while ten more events happen: its buffer holds the latest four.
        for (var i = 1; i <= 10; i++) log.Add(Custom(i));
        log.Complete();

        var rest = new List<RunEvent>();
        while (await reader.MoveNextAsync()) rest.Add(reader.Current);
        var skipped = Assert.IsType<RunEventsSkippedEvent>(rest[0]);
        Assert.Equal(6, skipped.Count);
        Assert.Equal("run", skipped.RunId);
        Assert.Equal(T0.AddSeconds(7), skipped.Timestamp);
        Assert.Equal(["e7", "e8", "e9", "e10"], rest.Skip(1).Cast<CustomRunEvent>().Select(e => e.Name));
    }

    [Fact]
    public async Task A_late_watcher_gets_a_skip_notice_then_the_window()
    {
        var log = new RunEventLog(window: 5);
        for (var i = 0; i < 12; i++) log.Add(Custom(i));
        log.Complete();

        var events = new List<RunEvent>();
        await foreach (var e in log.ReadAllAsync()) events.Add(e);

        Assert.Equal(7, Assert.IsType<RunEventsSkippedEvent>(events[0]).Count);
        Assert.Equal(["e7", "e8", "e9", "e10", "e11"], events.Skip(1).Cast<CustomRunEvent>().Select(e => e.Name));
        Assert.Equal(12, log.TotalCount);
        Assert.Equal(0, log.WatcherCount);
    }

    [Fact]
    public async Task A_watcher_that_stops_early_is_detached()
    {
        var log = new RunEventLog(window: 5);
        log.Add(Custom(0));
        await foreach (var _ in log.ReadAllAsync())
        {
            Assert.Equal(1, log.WatcherCount);
            break;
        }

        Assert.Equal(0, log.WatcherCount);
        log.Add(Custom(1));
        Assert.Equal(2, log.RetainedCount);
    }

    [Fact]
    public async Task The_runtime_keeps_the_window_it_is_given()
    {
        var workflow = new StateMachineBuilder("spin").State("spin", Agent.Identity("spin")).Transition("spin", "spin").Build();
        await using var runtime = new BatonRuntime(new BatonOptions { EventWindow = 5 });

        var run = runtime.Start(workflow, "x", new RunOptions { Limits = new RunLimits { MaxSteps = 20 } });
        await run.Completion.Within();
        var events = new List<RunEvent>();
        await foreach (var e in run.WatchAsync().WithCancellation(new CancellationTokenSource(Waits.Timeout).Token)) events.Add(e);

        Assert.Equal(5, run.EventsSoFar.Count);
        var skipped = Assert.IsType<RunEventsSkippedEvent>(events[0]);
        Assert.Equal(run.EventLog.TotalCount - 5, skipped.Count);
        Assert.Equal(run.EventsSoFar, events.Skip(1));
        Assert.IsType<RunEndedEvent>(events[^1]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_window_below_one_is_refused(int window)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatonRuntime(new BatonOptions { EventWindow = window }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RunEventLog(window: window));
    }

    private static CustomRunEvent Custom(int i) => new("run", T0.AddSeconds(i), "1:step", $"e{i}", null);
}
