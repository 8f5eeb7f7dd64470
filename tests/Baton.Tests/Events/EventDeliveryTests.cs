using System.Collections.Concurrent;

namespace Baton.Tests.Events;

/// <summary>How events reach a subscriber: in order, with back-pressure, retried, then dead-lettered.</summary>
public sealed class EventDeliveryTests
{
    [Fact]
    public async Task Each_subscriber_receives_events_in_publication_order()
    {
        await using var runtime = new BatonRuntime();
        var fast = new List<int>();
        var slow = new List<int>();
        runtime.Events.Subscribe("orders.*", "fast", (message, _) =>
        {
            fast.Add(message.Payload.Get<int>());
            return ValueTask.CompletedTask;
        });
        runtime.Events.Subscribe("orders.*", "slow", async (message, _) =>
        {
            await Task.Yield();
            slow.Add(message.Payload.Get<int>());
        }, new SubscriptionOptions { QueueCapacity = 3 });

        for (var i = 0; i < 1000; i++)
        {
            await runtime.Events.PublishAsync(i % 3 == 0 ? "orders.created" : "orders.paid", Payload.From(i));
        }

        await runtime.Events.WhenIdleAsync().Within();

        Assert.Equal(Enumerable.Range(0, 1000), fast);
        Assert.Equal(Enumerable.Range(0, 1000), slow);
    }

    [Fact]
    public async Task Events_of_concurrent_publishers_each_keep_their_order()
    {
        await using var runtime = new BatonRuntime();
        var received = new List<(int Publisher, int Sequence)>();
        runtime.Events.Subscribe("sensors.*", "recorder", (message, _) =>
        {
            var reading = message.Payload.AsJson();
            received.Add((reading.GetProperty("publisher").GetInt32(), reading.GetProperty("sequence").GetInt32()));
            return ValueTask.CompletedTask;
        }, new SubscriptionOptions { QueueCapacity = 4 });

        await Task.WhenAll(Enumerable.Range(0, 4).Select(publisher => Task.Run(async () =>
        {
            for (var sequence = 0; sequence < 250; sequence++)
            {
                await runtime.Events.PublishAsync($"sensors.s{publisher}", Payload.From(new { publisher, sequence }));
            }
        }))).Within();
        await runtime.Events.WhenIdleAsync().Within();

        Assert.Equal(1000, received.Count);
        foreach (var group in received.GroupBy(r => r.Publisher))
        {
            Assert.Equal(Enumerable.Range(0, 250), group.Select(r => r.Sequence));
        }
    }

    [Fact]
    public async Task A_slow_subscriber_makes_publishers_wait_once_its_queue_is_full()
    {
        await using var runtime = new BatonRuntime();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = new ConcurrentQueue<string>();
        var subscription = runtime.Events.Subscribe("thumbnails.*", "renderer", async (message, ct) =>
        {
            entered.TrySetResult();
            await gate.Task.WaitAsync(ct);
            handled.Enqueue(message.Payload.AsText());
        }, new SubscriptionOptions { QueueCapacity = 2 });

        // The first event is taken by the consumer, which then blocks on the gate.
        await runtime.Events.PublishAsync("thumbnails.requested", "img-1");
        await entered.Task.Within();

        // Two more fill its queue; publishing them does not wait.
        var second = runtime.Events.PublishAsync("thumbnails.requested", "img-2");
        var third = runtime.Events.PublishAsync("thumbnails.requested", "img-3");
        Assert.True(second.IsCompletedSuccessfully);
        Assert.True(third.IsCompletedSuccessfully);
        Assert.Equal(2, subscription.Queued);

        // The next one cannot be queued: the publisher waits.
        var fourth = runtime.Events.PublishAsync("thumbnails.requested", "img-4").AsTask();
        await Task.Yield();
        Assert.False(fourth.IsCompleted);
        Assert.False(runtime.Events.WhenIdleAsync().IsCompleted);

        gate.SetResult();
        await fourth.Within();
        await runtime.Events.WhenIdleAsync().Within();

        Assert.Equal(["img-1", "img-2", "img-3", "img-4"], handled);
    }

    [Fact]
    public async Task A_publisher_waiting_on_a_full_queue_can_give_up()
    {
        await using var runtime = new BatonRuntime();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = new ConcurrentQueue<string>();
        runtime.Events.Subscribe("jobs.*", "worker", async (message, ct) =>
        {
            entered.TrySetResult();
            await gate.Task.WaitAsync(ct);
            handled.Enqueue(message.Payload.AsText());
        }, new SubscriptionOptions { QueueCapacity = 1 });
        await runtime.Events.PublishAsync("jobs.queued", "job-1");
        await entered.Task.Within();
        await runtime.Events.PublishAsync("jobs.queued", "job-2");

        using var patience = new CancellationTokenSource();
        var waiting = runtime.Events.PublishAsync("jobs.queued", "job-3", patience.Token).AsTask();
        Assert.False(waiting.IsCompleted);
        await patience.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.Within());
        gate.SetResult();
        await runtime.Events.WhenIdleAsync().Within();
        Assert.Equal(["job-1", "job-2"], handled);
    }

    [Fact]
    public async Task A_failing_delivery_is_retried_with_backoff_then_dead_lettered_and_later_events_still_arrive()
    {
        var time = new FakeTime();
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = time });
        var received = new ConcurrentQueue<string>();
        var attempts = 0;
        var subscription = runtime.Events.Subscribe("invoices.*", "ledger", (message, _) =>
        {
            var invoice = message.Payload.AsText();
            if (invoice == "corrupt")
            {
                Interlocked.Increment(ref attempts);
                throw new InvalidOperationException("cannot parse the invoice");
            }

            received.Enqueue(invoice);
            return ValueTask.CompletedTask;
        });

        await runtime.Events.PublishAsync("invoices.received", "corrupt");
        await runtime.Events.PublishAsync("invoices.received", "INV-1");
        await runtime.Events.PublishAsync("invoices.received", "INV-2");

        // Each failure waits on the runtime's clock before the next attempt, and the events
        // behind it wait their turn: nothing moves until time does.
        await time.WaitForPendingTimersAsync().Within();
        Assert.Equal(1, Volatile.Read(ref attempts));
        Assert.Empty(received);
        time.Advance(TimeSpan.FromSeconds(1));
        await time.WaitForPendingTimersAsync().Within();
        Assert.Equal(2, Volatile.Read(ref attempts));
        Assert.Empty(runtime.Events.DeadLetters);
        time.Advance(TimeSpan.FromSeconds(1));
        await runtime.Events.WhenIdleAsync().Within();

        var dead = Assert.Single(runtime.Events.DeadLetters);
        Assert.Equal(3, dead.Attempts);
        Assert.Equal("ledger", dead.Subscriber);
        Assert.Equal("corrupt", dead.Message.Payload.AsText());
        Assert.Equal("cannot parse the invoice", dead.Error.Message);
        Assert.Equal(ErrorKind.Recoverable, dead.Error.Kind);
        Assert.Equal(typeof(InvalidOperationException).FullName, dead.Error.ExceptionType);
        Assert.Equal(time.GetUtcNow(), dead.Timestamp);
        Assert.Null(dead.RunId);
        Assert.Equal(["INV-1", "INV-2"], received);
        Assert.Equal(2, subscription.Delivered);
        Assert.Equal(1, subscription.DeadLettered);
    }

    [Fact]
    public async Task A_fatal_failure_is_dead_lettered_at_once()
    {
        var time = new FakeTime();
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = time });
        runtime.Events.Subscribe("invoices.*", "ledger", (_, _) => throw new AgentException(ErrorKind.Fatal, "invoice from a blocked vendor"));

        await runtime.Events.PublishAsync("invoices.received", "INV-3");
        await runtime.Events.WhenIdleAsync().Within();

        var dead = Assert.Single(runtime.Events.DeadLetters);
        Assert.Equal(1, dead.Attempts);
        Assert.Equal(ErrorKind.Fatal, dead.Error.Kind);
        Assert.Equal(0, time.TimersCreated);
    }

    [Fact]
    public async Task A_subscription_policy_overrides_the_bus_defaults()
    {
        var options = new BatonOptions { EventBus = new EventBusOptions { DeliveryRetry = RetryPolicy.None } };
        await using var runtime = new BatonRuntime(options);
        var attempts = 0;
        runtime.Events.Subscribe("a.*", "once", (_, _) =>
        {
            Interlocked.Increment(ref attempts);
            throw new TimeoutException("slow");
        });
        runtime.Events.Subscribe("a.*", "twice", (_, _) =>
        {
            Interlocked.Increment(ref attempts);
            throw new TimeoutException("slow");
        }, new SubscriptionOptions { Name = "patient", Retry = new RetryPolicy { MaxAttempts = 2, InitialDelay = TimeSpan.Zero } });

        await runtime.Events.PublishAsync("a.b", "x");
        await runtime.Events.WhenIdleAsync().Within();

        Assert.Equal(3, attempts);
        Assert.Equal(new[] { ("once", 1), ("patient", 2) }, runtime.Events.DeadLetters.Select(d => (d.Subscriber, d.Attempts)).Order());
    }

    [Fact]
    public async Task An_unsubscribed_subscriber_gets_what_was_queued_and_nothing_after()
    {
        await using var runtime = new BatonRuntime();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = new ConcurrentQueue<string>();
        var subscription = runtime.Events.Subscribe("news.*", "reader", async (message, ct) =>
        {
            entered.TrySetResult();
            await gate.Task.WaitAsync(ct);
            handled.Enqueue(message.Payload.AsText());
        }, new SubscriptionOptions { QueueCapacity = 1 });
        await runtime.Events.PublishAsync("news.posted", "first");
        await entered.Task.Within();
        await runtime.Events.PublishAsync("news.posted", "second");
        var blocked = runtime.Events.PublishAsync("news.posted", "third").AsTask();
        Assert.False(blocked.IsCompleted);

        subscription.Dispose();

        // The waiting publisher is released without an error: the subscriber it waited for left.
        await blocked.Within();
        await runtime.Events.PublishAsync("news.posted", "fourth");
        Assert.Empty(runtime.Events.Subscriptions);
        gate.SetResult();
        await runtime.Events.WhenIdleAsync().Within();
        Assert.Equal(["first", "second"], handled);
    }
}
