using System.Collections.Concurrent;

namespace Baton.Tests.Events;

/// <summary>Waiting for the bus to settle, and stopping it.</summary>
public sealed class EventBusLifetimeTests
{
    [Fact]
    public async Task A_bus_with_nothing_published_is_idle()
    {
        await using var runtime = new BatonRuntime();
        runtime.Events.Subscribe("*", "anything", (_, _) => ValueTask.CompletedTask);

        Assert.True(runtime.Events.WhenIdleAsync().IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Idle_waits_for_slow_subscribers_and_for_the_events_their_deliveries_publish()
    {
        await using var runtime = new BatonRuntime();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var shipped = new ConcurrentQueue<string>();
        runtime.Events.Subscribe("orders.paid", "warehouse", async (message, ct) =>
        {
            await gate.Task.WaitAsync(ct);
            await runtime.Events.PublishAsync("shipments.ready", message.Payload, ct);
        });
        runtime.Events.Subscribe("shipments.*", "courier", (message, _) =>
        {
            shipped.Enqueue(message.Payload.AsText());
            return ValueTask.CompletedTask;
        });

        await runtime.Events.PublishAsync("orders.paid", "order-1");
        await runtime.Events.PublishAsync("orders.paid", "order-2");
        var idle = runtime.Events.WhenIdleAsync();
        Assert.False(idle.IsCompleted);

        gate.SetResult();
        await idle.Within();

        // Idle means the follow-up events were delivered too, not merely published.
        Assert.Equal(["order-1", "order-2"], shipped);
    }

    [Fact]
    public async Task Waiting_for_idle_can_be_cancelled()
    {
        await using var runtime = new BatonRuntime();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        runtime.Events.Subscribe("jobs.*", "worker", async (_, ct) => await gate.Task.WaitAsync(ct));
        await runtime.Events.PublishAsync("jobs.queued", "job-1");
        using var patience = new CancellationTokenSource();

        var idle = runtime.Events.WhenIdleAsync(patience.Token);
        await patience.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => idle.Within());
        gate.SetResult();
        await runtime.Events.WhenIdleAsync().Within();
    }

    [Fact]
    public async Task Disposing_the_runtime_stops_the_consumers_and_drops_what_is_queued()
    {
        var runtime = new BatonRuntime();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var subscription = runtime.Events.Subscribe("jobs.*", "worker", async (_, ct) =>
        {
            Interlocked.Increment(ref calls);
            entered.TrySetResult();
            await using (ct.Register(() => cancelled.TrySetResult()))
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
        }, new SubscriptionOptions { QueueCapacity = 1 });
        await runtime.Events.PublishAsync("jobs.queued", "job-1");
        await entered.Task.Within();
        await runtime.Events.PublishAsync("jobs.queued", "job-2");
        var blocked = runtime.Events.PublishAsync("jobs.queued", "job-3").AsTask();
        Assert.False(blocked.IsCompleted);

        await runtime.DisposeAsync().AsTask().Within();

        // The delivery in flight saw its cancellation; the queued event was dropped, not delivered or dead-lettered.
        Assert.True(cancelled.Task.IsCompleted);
        Assert.Equal(1, Volatile.Read(ref calls));
        Assert.Equal(0, subscription.Delivered);
        Assert.Empty(runtime.Events.DeadLetters);

        // A publisher that was waiting, and anyone publishing or subscribing later, learns the bus is gone;
        // once the waiting publisher has (its publication settles on its own continuation), the bus is idle.
        await Assert.ThrowsAsync<ObjectDisposedException>(() => blocked.Within());
        await runtime.Events.WhenIdleAsync().Within();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await runtime.Events.PublishAsync("jobs.queued", "job-4"));
        Assert.Throws<ObjectDisposedException>(() => runtime.Events.Subscribe("jobs.*", "late", (_, _) => ValueTask.CompletedTask));
        Assert.Empty(runtime.Events.Subscriptions);
    }

    [Fact]
    public async Task Disposing_the_runtime_interrupts_a_run_started_by_an_event_and_starts_no_more()
    {
        using var script = new AgentScript();
        var started = new TaskCompletionSource();
        var transcode = script.Agent("transcode").BlocksUntilCancelled(started);
        var runtime = new BatonRuntime();
        var subscription = runtime.Events.Subscribe("videos.*", transcode);
        await runtime.Events.PublishAsync("videos.uploaded", "cat.mp4");
        await runtime.Events.PublishAsync("videos.uploaded", "dog.mp4");
        await runtime.Events.PublishAsync("videos.uploaded", "bird.mp4");
        await started.Task.Within();

        await runtime.DisposeAsync().AsTask().Within();

        Assert.Equal(1, transcode.CallCount);
        Assert.Equal(0, subscription.Delivered);
        // Each event's run was stored when it was published (the first one interrupted, the queued two never
        // started): all three are resumable by the next runtime on this store, none is lost with the queue.
        var runs = await runtime.Store.ListRunsAsync();
        Assert.Equal(3, runs.Count);
        Assert.All(runs, run => Assert.Equal(RunStatus.Running, run.Status));
        Assert.True(runtime.Events.WhenIdleAsync().IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Disposing_twice_or_concurrently_is_safe()
    {
        var runtime = new BatonRuntime();
        runtime.Events.Subscribe("*", "anything", (_, ct) => new ValueTask(Task.Delay(Timeout.Infinite, ct)));
        await runtime.Events.PublishAsync("a", "x");

        await Task.WhenAll(runtime.Events.DisposeAsync().AsTask(), runtime.Events.DisposeAsync().AsTask()).Within();
        await runtime.DisposeAsync().AsTask().Within();
        await runtime.Events.DisposeAsync();
    }
}
