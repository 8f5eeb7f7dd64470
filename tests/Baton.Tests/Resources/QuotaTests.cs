namespace Baton.Tests.Resources;

public sealed class QuotaTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    /// <summary>A call that returns how long it waited; it starts at its arrival plus that.</summary>
    private static Task<TimeSpan> Call(Resource resource, int priority = 0, int? tokens = null, CancellationToken cancellationToken = default) =>
        resource.ExecuteAsync((lease, _) => ValueTask.FromResult(lease.Waited), priority, tokens, cancellationToken).AsTask();

    /// <summary>A call that records its start in <paramref name="order"/> and holds its permits until <paramref name="gate"/> opens.</summary>
    private static Task<int> Held(Resource resource, List<string> order, string name, Task gate, int priority = 0) =>
        resource.ExecuteAsync(async (_, ct) =>
        {
            lock (order) order.Add(name);
            await gate.WaitAsync(ct);
            return 0;
        }, priority).AsTask();

    /// <summary>
    /// Moves the clock from one timer to the next while calls wait in <paramref name="resource"/>'s queue, then awaits
    /// <paramref name="calls"/>. Nothing is guessed: the resource grants a waiting call (fixing how long it waited) or
    /// gives it up inside the timer's callback, which runs in <c>Advance</c>, so the queue is settled before the clock
    /// moves again, and the clock stops where the last call left the queue.
    /// </summary>
    private static async Task<T> AdvanceUntilDone<T>(FakeTime time, Resource resource, Task<T> calls)
    {
        for (var jumps = 0; resource.GetStatistics().Waiting > 0; jumps++)
        {
            Assert.True(jumps < 1000, "calls still waited after 1000 timers");
            var due = time.NextDue;
            Assert.True(due is not null, "calls wait in the queue, yet no timer is armed to start or give them up");
            time.Advance(due.Value - time.GetUtcNow());
        }

        return await calls.Within();
    }

    private static int MostInAnyWindow(IReadOnlyList<TimeSpan> starts, TimeSpan window) =>
        starts.Max(from => starts.Count(t => t >= from && t < from + window));

    [Fact]
    public async Task Twenty_callers_on_5_per_minute_never_put_more_than_5_in_any_minute()
    {
        var time = new FakeTime();
        using var openai = new Resource("openai", new ResourceOptions { RequestsPerMinute = 5 }, time);

        // All twenty arrive at once, from as many threads; each start is its arrival (t = 0) plus the time it waited.
        var callers = Enumerable.Range(0, 20).Select(_ => Task.Run(() => Call(openai))).ToArray();
        // Five start, fifteen wait: the window's timer and fifteen maximum-wait timers.
        await time.WaitForPendingTimersAsync(16);
        var starts = await AdvanceUntilDone(time, openai, Task.WhenAll(callers));

        Assert.Equal(
            [.. Enumerable.Repeat(TimeSpan.Zero, 5), .. Enumerable.Repeat(Minute, 5), .. Enumerable.Repeat(2 * Minute, 5), .. Enumerable.Repeat(3 * Minute, 5)],
            starts.Order());
        Assert.Equal(5, MostInAnyWindow(starts, Minute));
        Assert.Equal(new ResourceStatistics(0, 0, 5, 0, 0, Polly.CircuitBreaker.CircuitState.Closed), openai.GetStatistics());
    }

    [Fact]
    public async Task The_window_rolls_a_call_starts_exactly_one_minute_after_the_one_whose_permit_it_takes()
    {
        // Callers arrive every 10 s on 5 per minute: a calendar-minute window would let 5 start
        // in 0:50..0:59 and 5 more at 1:00; a rolling one starts each exactly when a permit of a
        // call a minute earlier comes back.
        var time = new FakeTime();
        using var openai = new Resource("openai", new ResourceOptions { RequestsPerMinute = 5 }, time);
        var arrivals = new List<TimeSpan>();
        var calls = new List<Task<TimeSpan>>();
        for (var i = 0; i < 16; i++)
        {
            arrivals.Add(TimeSpan.FromSeconds(10 * i));
            calls.Add(Call(openai));
            time.Advance(TimeSpan.FromSeconds(10));
        }

        var waited = await AdvanceUntilDone(time, openai, Task.WhenAll(calls));
        var starts = arrivals.Zip(waited, (arrival, wait) => arrival + wait).ToArray();

        // The reference: FIFO, and the k-th call starts no sooner than a minute after the (k-5)-th.
        var expected = new TimeSpan[arrivals.Count];
        for (var k = 0; k < expected.Length; k++)
        {
            var start = arrivals[k];
            if (k >= 5 && expected[k - 5] + Minute > start) start = expected[k - 5] + Minute;
            if (k >= 1 && expected[k - 1] > start) start = expected[k - 1];
            expected[k] = start;
        }

        Assert.Equal(expected, starts);
        Assert.Equal(5, MostInAnyWindow(starts, Minute));
    }

    [Fact]
    public async Task When_the_window_opens_the_highest_priorities_are_served_first()
    {
        var time = new FakeTime();
        using var openai = new Resource("openai", new ResourceOptions { RequestsPerMinute = 5 }, time);
        for (var i = 0; i < 5; i++) Assert.Equal(TimeSpan.Zero, await Call(openai));

        // Ten callers queue up, low priorities first.
        int[] priorities = [0, 0, 1, 0, 3, 2, 0, 1, 2, 5];
        var calls = priorities.Select(p => Call(openai, p)).ToArray();
        Assert.Equal(10, openai.GetStatistics().Waiting);
        var waited = await AdvanceUntilDone(time, openai, Task.WhenAll(calls));

        // At one minute the five best (5, 3, 2, 2, 1 — the first 1) start; the rest a minute later.
        var firstWindow = priorities.Select((p, i) => (p, i)).Where(x => waited[x.i] == Minute).Select(x => x.i).ToArray();
        Assert.Equal([2, 4, 5, 8, 9], firstWindow);
        Assert.All(priorities.Select((p, i) => i).Except(firstWindow), i => Assert.Equal(2 * Minute, waited[i]));
    }

    [Fact]
    public async Task Waiting_calls_start_by_priority_then_in_arrival_order()
    {
        using var openai = new Resource("openai", new ResourceOptions { MaxConcurrency = 1 }, new FakeTime());
        var order = new List<string>();
        var first = new TaskCompletionSource();
        var holder = Held(openai, order, "holder", first.Task);
        var open = Task.CompletedTask;
        var queued = new[]
        {
            Held(openai, order, "low-1", open, priority: 0),
            Held(openai, order, "high-1", open, priority: 9),
            Held(openai, order, "low-2", open, priority: 0),
            Held(openai, order, "mid-1", open, priority: 5),
            Held(openai, order, "high-2", open, priority: 9),
            Held(openai, order, "low-3", open, priority: 0),
            Held(openai, order, "mid-2", open, priority: 5),
        };
        Assert.Equal(7, openai.GetStatistics().Waiting);

        first.SetResult();
        await Task.WhenAll([holder, .. queued]).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["holder", "high-1", "high-2", "mid-1", "mid-2", "low-1", "low-2", "low-3"], order);
    }

    [Fact]
    public async Task Calls_of_one_priority_start_in_the_order_they_came()
    {
        var time = new FakeTime();
        using var openai = new Resource("openai", new ResourceOptions { RequestsPerMinute = 1, MaxWait = null }, time);
        var calls = Enumerable.Range(0, 8).Select(_ => Call(openai)).ToArray();

        var waited = await AdvanceUntilDone(time, openai, Task.WhenAll(calls));

        // One a minute, in the order they came.
        Assert.Equal(Enumerable.Range(0, 8).Select(i => i * Minute), waited);
    }

    [Fact]
    public async Task No_more_calls_are_in_flight_than_the_concurrency_limit()
    {
        using var openai = new Resource("openai", new ResourceOptions { MaxConcurrency = 3 }, new FakeTime());
        var inFlight = 0;
        var most = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // A call that finds a permit free runs inline up to its first await: three are inside, seven wait.
        var calls = Enumerable.Range(0, 10).Select(_ => openai.ExecuteAsync(async (_, ct) =>
        {
            InterlockedMax(ref most, Interlocked.Increment(ref inFlight));
            await gate.Task.WaitAsync(ct);
            await Task.Yield();
            Interlocked.Decrement(ref inFlight);
            return 0;
        }).AsTask()).ToArray();

        Assert.Equal(3, Volatile.Read(ref inFlight));
        Assert.Equal(7, openai.GetStatistics().Waiting);
        Assert.Equal(3, openai.GetStatistics().InFlight);
        gate.SetResult();
        await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(3, most);
        Assert.Equal(0, openai.GetStatistics().InFlight);
    }

    [Fact]
    public async Task Reported_tokens_replace_the_estimate_in_the_token_window()
    {
        var time = new FakeTime();
        using var openai = new Resource("openai", new ResourceOptions { TokensPerMinute = 1000 }, time);

        // Estimated 600, spent 900: the window holds 900, so a call needing 200 waits a minute.
        await openai.ExecuteAsync((lease, _) =>
        {
            Assert.Equal(600, lease.ReservedTokens);
            lease.ReportUsage(new Usage(400, 500, 0));
            return ValueTask.FromResult(0);
        }, estimatedTokens: 600);
        Assert.Equal(900, openai.GetStatistics().TokensInWindow);
        var needs200 = Call(openai, tokens: 200);
        Assert.False(needs200.IsCompleted);
        // The queued call has armed its maximum wait and the window its minute: move to the minute, not past it,
        // and let the call start there (its start is released off this thread, so time must not move meanwhile).
        await time.WaitForPendingTimersAsync(2);
        Assert.Equal(time.GetUtcNow() + Minute, time.NextDue);
        time.Advance(Minute);
        Assert.Equal(Minute, await needs200.WaitAsync(TimeSpan.FromSeconds(30)));

        // Estimated 800, spent 300: the 500 over-estimated are free at once.
        await openai.ExecuteAsync((lease, _) =>
        {
            lease.ReportUsage(300);
            return ValueTask.FromResult(0);
        }, estimatedTokens: 800);
        Assert.Equal(TimeSpan.Zero, await Call(openai, tokens: 500));
        Assert.Equal(200 + 300 + 500, openai.GetStatistics().TokensInWindow);
    }

    [Fact]
    public async Task Tokens_spent_beyond_the_window_are_a_debt_charged_before_the_next_call()
    {
        var time = new FakeTime();
        using var openai = new Resource("openai", new ResourceOptions { TokensPerMinute = 1000 }, time);

        // No estimate, 1500 spent: the window fills and 500 are owed.
        await openai.ExecuteAsync((lease, _) =>
        {
            lease.ReportUsage(1500);
            return ValueTask.FromResult(0);
        });
        Assert.Equal(new ResourceStatistics(0, 0, 0, 1000, 500, Polly.CircuitBreaker.CircuitState.Closed), openai.GetStatistics());

        // Even a call with no estimate waits while the window is spent; at one minute the debt is charged, then the call.
        var next = Call(openai, tokens: 100);
        await time.WaitForPendingTimersAsync(2);
        Assert.Equal(time.GetUtcNow() + Minute, time.NextDue);
        time.Advance(Minute);
        Assert.Equal(Minute, await next.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(new ResourceStatistics(0, 0, 0, 600, 0, Polly.CircuitBreaker.CircuitState.Closed), openai.GetStatistics());
    }

    [Fact]
    public async Task A_call_that_waits_longer_than_the_maximum_fails_with_a_clear_transient_error()
    {
        var time = new FakeTime();
        using var openai = new Resource("openai", new ResourceOptions { RequestsPerMinute = 1, MaxWait = TimeSpan.FromSeconds(30) }, time);
        await Call(openai);

        var waiting = Call(openai);
        await time.AdvanceToTimerAsync(TimeSpan.FromSeconds(30));
        var failure = await Assert.ThrowsAsync<ResourceUnavailableException>(() => waiting.Within());

        Assert.Equal(ResourceUnavailableException.QuotaWait, failure.Code);
        Assert.Equal(ErrorKind.Transient, failure.Kind);
        Assert.Equal("openai", failure.Resource);
        Assert.Equal(TimeSpan.FromSeconds(30), failure.Waited);
        Assert.Equal(
            "a call waited 30 s for resource 'openai' and gave up: its request quota (1 per minute) stayed used up; " +
            "raise the resource's MaxWait or its quota, or send fewer calls",
            failure.Message);
        var error = ErrorClassifier.Classify(failure, "ask");
        Assert.Equal((ErrorKind.Transient, "quota_wait"), (error.Kind, error.Code));
        Assert.Equal(0, openai.GetStatistics().Waiting);

        // Nothing leaked: when the first call's minute is up, the permit is there at once.
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.Zero, await Call(openai));
    }

    [Fact]
    public async Task Cancelling_a_waiting_call_takes_it_out_of_the_queue_without_leaking_a_permit()
    {
        var time = new FakeTime();
        using var openai = new Resource("openai", new ResourceOptions { RequestsPerMinute = 1 }, time);
        await Call(openai);
        using var cancel = new CancellationTokenSource();
        var cancelled = Call(openai, priority: 5, cancellationToken: cancel.Token);
        var next = Call(openai);
        Assert.Equal(2, openai.GetStatistics().Waiting);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(1, openai.GetStatistics().Waiting);
        await time.WaitForPendingTimersAsync(2);
        Assert.Equal(time.GetUtcNow() + Minute, time.NextDue);
        time.Advance(Minute);
        Assert.Equal(Minute, await next.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, openai.GetStatistics().RequestsInWindow);
        time.Advance(Minute);
        Assert.Equal(TimeSpan.Zero, await Call(openai));
    }

    [Fact]
    public async Task Cancelling_a_call_waiting_for_a_concurrency_permit_leaks_nothing()
    {
        using var openai = new Resource("openai", new ResourceOptions { MaxConcurrency = 1 }, new FakeTime());
        var order = new List<string>();
        var release = new TaskCompletionSource();
        var holder = Held(openai, order, "holder", release.Task);
        using var cancel = new CancellationTokenSource();
        var next = Held(openai, order, "next", Task.CompletedTask);
        var cancelled = openai.ExecuteAsync((_, _) => ValueTask.FromResult(0), cancellationToken: cancel.Token).AsTask();

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        release.SetResult();
        await Task.WhenAll(holder, next).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(new ResourceStatistics(0, 0, 0, 0, 0, Polly.CircuitBreaker.CircuitState.Closed), openai.GetStatistics());
        Assert.Equal(TimeSpan.Zero, await Call(openai).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_resource_with_a_deadline_too_short_for_its_queue_fails_every_late_call_and_serves_the_rest()
    {
        // Storm check: 12 callers on 2 per minute with a 90 s maximum wait; 2 start now, 2 at
        // one minute, and the other 8 give up at 90 s — each once, none retried by the resource.
        var time = new FakeTime();
        using var openai = new Resource("openai", new ResourceOptions { RequestsPerMinute = 2, MaxWait = TimeSpan.FromSeconds(90) }, time);
        var calls = Enumerable.Range(0, 12).Select(_ => Call(openai)).ToArray();

        await AdvanceUntilDone(time, openai, Task.WhenAll(calls).ContinueWith(_ => 0, TaskScheduler.Default));

        Assert.Equal(2, calls.Count(c => c.IsCompletedSuccessfully && c.Result == TimeSpan.Zero));
        Assert.Equal(2, calls.Count(c => c.IsCompletedSuccessfully && c.Result == Minute));
        Assert.Equal(8, calls.Count(c => c.Exception?.InnerException is ResourceUnavailableException { Code: "quota_wait" }));
        Assert.Equal(0, openai.GetStatistics().Waiting);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var previous = Interlocked.CompareExchange(ref target, value, seen);
            if (previous == seen) return;
            seen = previous;
        }
    }
}
