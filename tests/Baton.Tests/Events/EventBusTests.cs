using System.Collections.Concurrent;

namespace Baton.Tests.Events;

public sealed class EventBusTests
{
    [Fact]
    public async Task Agents_and_workflows_subscribe_by_pattern_and_each_event_starts_a_run()
    {
        var mails = new ConcurrentQueue<string>();
        var meetings = new ConcurrentQueue<string>();
        await using var runtime = new BatonRuntime();
        runtime.Events.Subscribe("email.*", Agent.Create("email-agent", input =>
        {
            mails.Enqueue(input.AsText());
            return input;
        }));
        runtime.Events.Subscribe("calendar.request", SequentialBuilder.Create("calendar", Agent.Create("book", input =>
        {
            meetings.Enqueue(input.AsText());
            return input;
        })));

        await runtime.Events.PublishAsync("email.received", "hello");
        await runtime.Events.PublishAsync("email.urgent", "server down");
        await runtime.Events.PublishAsync("calendar.request", "friday");
        await runtime.Events.PublishAsync("notify.user", "nobody listens");
        await runtime.Events.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["hello", "server down"], mails);
        Assert.Equal(["friday"], meetings);
        var runs = await runtime.Store.ListRunsAsync(RunStatus.Succeeded);
        Assert.Equal(3, runs.Count);
        Assert.Equal(2, runs.Count(r => r.Workflow == "email-agent"));
    }

    [Fact]
    public async Task Each_subscriber_gets_its_events_in_publication_order()
    {
        var seen = new List<int>();
        await using var runtime = new BatonRuntime();
        runtime.Events.Subscribe("n", "collector", async (message, ct) =>
        {
            await Task.Yield();
            seen.Add(message.Payload.Get<int>());
        });

        for (var i = 0; i < 200; i++) await runtime.Events.PublishAsync("n", Payload.From(i));
        await runtime.Events.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(Enumerable.Range(0, 200), seen);
    }

    [Fact]
    public async Task A_slow_subscriber_makes_publishers_wait_when_its_queue_is_full()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstTaken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var runtime = new BatonRuntime();
        var subscription = runtime.Events.Subscribe("work", "slow", async (_, ct) =>
        {
            firstTaken.TrySetResult();
            await release.Task.WaitAsync(ct);
        }, new SubscriptionOptions { QueueCapacity = 2 });

        await runtime.Events.PublishAsync("work", "1");
        await firstTaken.Task.WaitAsync(TimeSpan.FromSeconds(10)); // the consumer holds event 1
        await runtime.Events.PublishAsync("work", "2");
        await runtime.Events.PublishAsync("work", "3"); // the queue (capacity 2) is now full
        var blocked = runtime.Events.PublishAsync("work", "4").AsTask();

        Assert.False(blocked.IsCompleted, "the fourth publish must wait for room");
        Assert.Equal(2, subscription.Queued);
        release.SetResult();
        await blocked.WaitAsync(TimeSpan.FromSeconds(10));
        await runtime.Events.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(4, subscription.Delivered);
    }

    [Fact]
    public async Task A_subscriber_that_keeps_failing_ends_in_the_dead_letter_queue_and_later_events_still_arrive()
    {
        var time = new FakeTime();
        var attempts = 0;
        var handled = new ConcurrentQueue<string>();
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = time });
        var subscription = runtime.Events.Subscribe("orders.*", "billing", (message, _) =>
        {
            if (message.Payload.AsText() == "poison")
            {
                Interlocked.Increment(ref attempts);
                throw new InvalidOperationException("cannot bill a poison order");
            }

            handled.Enqueue(message.Payload.AsText());
            return ValueTask.CompletedTask;
        });

        await runtime.Events.PublishAsync("orders.new", "poison");
        await runtime.Events.PublishAsync("orders.new", "good");
        await time.DriveAsync(runtime.Events.WhenIdleAsync().ContinueWith(_ => true, TaskScheduler.Default));

        var dead = Assert.Single(runtime.Events.DeadLetters);
        Assert.Equal(("billing", 3, "poison"), (dead.Subscriber, dead.Attempts, dead.Message.Payload.AsText()));
        Assert.Contains("cannot bill a poison order", dead.Error.Message, StringComparison.Ordinal);
        Assert.Equal(3, attempts);
        Assert.Equal(["good"], handled);
        Assert.Equal((1, 1), (subscription.Delivered, subscription.DeadLettered));
    }

    [Fact]
    public async Task A_failing_workflow_run_is_a_failed_delivery()
    {
        await using var runtime = new BatonRuntime(new BatonOptions
        {
            EventBus = new EventBusOptions { DeliveryRetry = RetryPolicy.None },
        });
        runtime.Events.Subscribe("jobs", SequentialBuilder.Create("job", Agent.Create("fail", (_, _) => AgentResult.Failure(ErrorKind.Fatal, "job failed"))));

        await runtime.Events.PublishAsync("jobs", "x");
        await runtime.Events.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("job failed", Assert.Single(runtime.Events.DeadLetters).Error.Message);
    }

    [Fact]
    public async Task A_step_publishes_only_when_it_commits_and_the_child_run_knows_its_parent()
    {
        var children = new ConcurrentQueue<RunResult>();
        await using var runtime = new BatonRuntime();
        var child = SequentialBuilder.Create("child", Agent.Identity("echo"));
        runtime.Events.Subscribe("done.*", "watch", async (message, ct) =>
        {
            var record = await runtime.Store.GetRunAsync(message.RunId!, ct);
            children.Enqueue(new RunResult(record!.RunId, record.Status, message.Payload, null, default, 0));
        });
        runtime.Events.Subscribe("done.*", child);
        var announcer = Agent.Create("announce", (input, context) =>
        {
            context.Publish("done." + input.AsText(), input);
            return input.AsText() == "bad" ? AgentResult.Failure(ErrorKind.Fatal, "no") : AgentResult.Success(input);
        });
        var workflow = new SequentialBuilder("parent").Then(announcer, retry: RetryPolicy.None).Build();

        var ok = await runtime.RunAsync(workflow, "good");
        var failed = await runtime.RunAsync(workflow, "bad");
        await runtime.Events.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(RunStatus.Failed, failed.Status);
        var published = Assert.Single(children);
        Assert.Equal((ok.RunId, "good"), (published.RunId, published.Output!.AsText()));
        var childRun = Assert.Single(await runtime.Store.ListRunsAsync(), r => r.Workflow == "child");
        Assert.Equal(ok.RunId, childRun.ParentRunId);
    }

    [Fact]
    public async Task Disposing_the_runtime_stops_the_subscribers()
    {
        var runtime = new BatonRuntime();
        var subscription = runtime.Events.Subscribe("x", "s", (_, ct) => new ValueTask(Task.Delay(Timeout.Infinite, ct)));
        await runtime.Events.PublishAsync("x", "1");

        await runtime.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        await Assert.ThrowsAsync<ObjectDisposedException>(() => runtime.Events.PublishAsync("x", "2").AsTask());
        Assert.Equal(0, subscription.Delivered);
    }
}
