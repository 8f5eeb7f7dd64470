using System.Collections.Concurrent;
using Baton.Orleans;
using Baton.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Baton.Orleans.Tests;

/// <summary>
/// The event bus across a cluster's workers: what a step on one worker publishes reaches the subscriptions of another
/// (handlers and workflows), once per message id, with retries, cluster-wide dead letters, and child runs that outlive
/// the worker that published their event and the worker that began them.
/// </summary>
public sealed class ClusterEventTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static Workflow Publisher(params string[] topics) =>
        SequentialBuilder.Create("publisher-" + Guid.NewGuid().ToString("N")[..8],
            Agent.Create("publish", (input, context, _) =>
            {
                foreach (var topic in topics) context.Publish(topic, input);
                return ValueTask.FromResult(AgentResult.Success("published"));
            }));

    [Fact]
    public async Task A_step_on_one_worker_reaches_a_handler_and_a_workflow_subscribed_on_another_once()
    {
        var ledger = new Ledger();
        var child = SequentialBuilder.Create("child-" + Guid.NewGuid().ToString("N")[..8],
            Agent.Create("note", (input, context, _) => { ledger.Record(context); return ValueTask.FromResult(AgentResult.Success("noted " + input.AsText())); }));
        var publisher = Publisher("orders.placed");
        await using var cluster = await TestCluster.StartAsync([publisher]);
        var (a, b) = (cluster.RuntimeOf(0), cluster.RuntimeOf(1));
        var received = new ConcurrentQueue<Message>();
        b.Events.Subscribe("orders.placed", "mailer", (message, _) => { received.Enqueue(message); return ValueTask.CompletedTask; });
        b.Events.Subscribe("orders.placed", child);

        var result = await a.RunAsync(publisher, "order-1").WaitAsync(Bound);
        await b.Events.WhenIdleAsync().WaitAsync(Bound);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        var message = Assert.Single(received);
        Assert.Equal("order-1", message.Payload.AsText());
        Assert.Equal(result.RunId, message.RunId);
        // The publisher's outbox was marked published: the other worker had accepted the event by then.
        Assert.Contains(await cluster.Store.ReadJournalAsync(result.RunId), e => e.Kind == JournalEntryKind.EventsPublished);
        var run = Assert.Single(await cluster.Store.ListRunsAsync(new RunQuery { Workflow = child.Name }));
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(result.RunId, run.ParentRunId);
        Assert.Equal(1, ledger.Count(run.RunId, "note"));
        Assert.Equal("noted order-1", (await cluster.Store.ReadJournalAsync(run.RunId)).Last(e => e.Kind == JournalEntryKind.StepCompleted).Payload!.AsText());
    }

    [Fact]
    public async Task Wildcard_subscriptions_on_another_worker_receive_the_topics_they_match_and_only_those()
    {
        var publisher = Publisher("orders.eu.urgent", "payments.done", "orders");
        await using var cluster = await TestCluster.StartAsync([publisher]);
        var b = cluster.RuntimeOf(1);
        var seen = new ConcurrentDictionary<string, ConcurrentQueue<string>>();
        foreach (var pattern in new[] { "orders.*", "*", "orders.*.urgent", "payments.*", "invoices.*" })
        {
            var topics = seen.GetOrAdd(pattern, _ => new ConcurrentQueue<string>());
            b.Events.Subscribe(pattern, "sub " + pattern, (message, _) => { topics.Enqueue(message.Topic!); return ValueTask.CompletedTask; });
        }

        await cluster.RuntimeOf(0).RunAsync(publisher, "x").WaitAsync(Bound);
        await b.Events.WhenIdleAsync().WaitAsync(Bound);

        Assert.Equal(["orders.eu.urgent"], seen["orders.*"]);
        Assert.Equal(["orders.eu.urgent", "payments.done", "orders"], seen["*"]);
        Assert.Equal(["orders.eu.urgent"], seen["orders.*.urgent"]);
        Assert.Equal(["payments.done"], seen["payments.*"]);
        Assert.Empty(seen["invoices.*"]);
    }

    [Fact]
    public async Task A_failing_handler_on_another_worker_is_retried_then_dead_lettered_where_the_whole_cluster_sees_it()
    {
        var publisher = Publisher("orders.placed");
        await using var cluster = await TestCluster.StartAsync([publisher]);
        var b = cluster.RuntimeOf(1);
        var attempts = 0;
        b.Events.Subscribe("orders.*", "flaky", (_, _) =>
        {
            Interlocked.Increment(ref attempts);
            throw new InvalidOperationException("the mail server refused it");
        }, new SubscriptionOptions { Retry = new RetryPolicy { MaxAttempts = 3, InitialDelay = TimeSpan.FromMilliseconds(1), RetryRecoverable = true } });

        var result = await cluster.RuntimeOf(0).RunAsync(publisher, "order-9").WaitAsync(Bound);
        await b.Events.WhenIdleAsync().WaitAsync(Bound);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(3, attempts);
        var local = Assert.Single(b.Events.DeadLetters);
        Assert.Equal(3, local.Attempts);
        // Reported to the cluster's dead-letter grain in the background: read from a client and from the other worker.
        var fromClient = await DeadLettersAsync(new ClusterEvents(cluster.Cluster.Client), 1);
        var fromA = await DeadLettersAsync(cluster.Cluster.GetSiloServiceProvider(cluster.Cluster.Silos[0].SiloAddress).GetRequiredService<ClusterEvents>(), 1);
        var letter = Assert.Single(fromClient);
        Assert.Equal(fromClient, fromA);
        Assert.Equal(local.Message.Id, letter.MessageId);
        Assert.Equal("flaky", letter.Subscriber);
        Assert.Equal("orders.placed", letter.Topic);
        Assert.Equal(3, letter.Attempts);
        Assert.Equal(nameof(ErrorKind.Recoverable), letter.ErrorKind);
        Assert.Contains("the mail server refused it", letter.Error, StringComparison.Ordinal);
        Assert.Equal(b.Owner, letter.Worker);
        Assert.Empty(cluster.RuntimeOf(0).Events.DeadLetters);
    }

    [Fact]
    public async Task The_same_event_arriving_twice_at_a_worker_is_delivered_once()
    {
        var ledger = new Ledger();
        var child = SequentialBuilder.Create("child-" + Guid.NewGuid().ToString("N")[..8],
            Agent.Create("note", (input, context, _) => { ledger.Record(context); return ValueTask.FromResult(AgentResult.Success("noted")); }));
        await using var cluster = await TestCluster.StartAsync([]);
        var (a, b) = (cluster.RuntimeOf(0), cluster.RuntimeOf(1));
        var received = new ConcurrentQueue<string>();
        b.Events.Subscribe("orders.*", "mailer", (message, _) => { received.Enqueue(message.Id); return ValueTask.CompletedTask; });
        b.Events.Subscribe("orders.*", child);
        var message = new Message { Id = "event-1", Topic = "orders.placed", Payload = "order-1", Timestamp = DateTimeOffset.UtcNow };

        // A publisher whose run resumed publishes its outbox again with the same ids; a call retried after a lost reply arrives again.
        await a.Events.PublishAsync(message).AsTask().WaitAsync(Bound);
        await a.Events.PublishAsync(message).AsTask().WaitAsync(Bound);
        Assert.True(await cluster.Cluster.Client.GetGrain<IEventInboxGrain>(b.Owner).AcceptAsync(ClusterEvent.From(message)).WaitAsync(Bound));
        await a.Events.PublishAsync(message with { Id = "event-2" }).AsTask().WaitAsync(Bound);
        await b.Events.WhenIdleAsync().WaitAsync(Bound);

        Assert.Equal(["event-1", "event-2"], received);
        var runs = await cluster.Store.ListRunsAsync(new RunQuery { Workflow = child.Name });
        Assert.Equal(2, runs.Count);
        Assert.All(runs, r => Assert.Equal(1, ledger.Count(r.RunId, "note")));
    }

    [Fact]
    public async Task A_worker_that_is_gone_is_skipped_and_its_inbox_says_so()
    {
        await using var cluster = await TestCluster.StartAsync([]);
        var a = cluster.RuntimeOf(0);
        // An inbox keyed by a worker that is not in the cluster (one that died) activates elsewhere and refuses.
        var gone = "orleans:" + global::Orleans.Runtime.SiloAddress.New(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 1), 1).ToParsableString();

        Assert.False(await cluster.Cluster.Client.GetGrain<IEventInboxGrain>(gone).AcceptAsync(new ClusterEvent { Id = "e", Topic = "t" }).WaitAsync(Bound));
        // A publication with no other subscriber anywhere still goes through.
        await a.Events.PublishAsync("nobody.listens", "x").AsTask().WaitAsync(Bound);
    }

    [Fact]
    public async Task A_child_run_outlives_the_worker_whose_step_published_its_event()
    {
        var ledger = new Ledger();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var child = SequentialBuilder.Create("child-" + Guid.NewGuid().ToString("N")[..8],
            Agent.Create("slow", async (input, context, ct) =>
            {
                ledger.Record(context);
                entered.TrySetResult();
                await gate.Task.WaitAsync(ct);
                return AgentResult.Success("done " + input.AsText());
            }));
        var publisher = Publisher("orders.placed");
        await using var cluster = await TestCluster.StartAsync([publisher, child]);
        // The subscriber is the primary silo; the publisher a secondary one, which is killed.
        var (subscriber, publishing) = (cluster.RuntimeOf(0), cluster.RuntimeOf(1));
        subscriber.Events.Subscribe("orders.placed", child);

        var published = await publishing.RunAsync(publisher, "order-7").WaitAsync(Bound);
        await entered.Task.WaitAsync(Bound);
        await cluster.Cluster.KillSiloAsync(cluster.Cluster.Silos[1]);
        gate.SetResult();
        await subscriber.Events.WhenIdleAsync().WaitAsync(Bound);

        Assert.Equal(RunStatus.Succeeded, published.Status);
        var run = Assert.Single(await cluster.Store.ListRunsAsync(new RunQuery { Workflow = child.Name }));
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(1, ledger.Count(run.RunId, "slow"));
        Assert.Empty(subscriber.Events.DeadLetters);
    }

    [Fact]
    public async Task A_child_run_whose_worker_dies_mid_delivery_is_finished_by_another_worker()
    {
        var ledger = new Ledger();
        var entered = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var child = new SequentialBuilder("child-" + Guid.NewGuid().ToString("N")[..8])
            .Then(Agent.Create("first", (input, context, _) => { ledger.Record(context); return ValueTask.FromResult(AgentResult.Success("one " + input.AsText())); }), "first")
            .Then(Agent.Create("second", async (input, context, ct) =>
            {
                // The first execution hangs until its worker is gone.
                if (ledger.Record(context) == 1)
                {
                    entered.TrySetResult(context.RunId);
                    await Task.Delay(Timeout.Infinite, ct);
                }

                return AgentResult.Success(input.AsText() + " two");
            }), "second")
            .Build();
        var publisher = Publisher("orders.placed");
        // The child's workflow is known to every worker (by name), so any of them can continue its run.
        await using var cluster = await TestCluster.StartAsync([publisher, child], sweepInterval: TimeSpan.FromMilliseconds(500));
        var (publishing, subscriber) = (cluster.RuntimeOf(0), cluster.RuntimeOf(1));
        subscriber.Events.Subscribe("orders.placed", child);

        var published = await publishing.RunAsync(publisher, "order-8").WaitAsync(Bound);
        var childRunId = await entered.Task.WaitAsync(Bound);
        await cluster.Cluster.KillSiloAsync(cluster.Cluster.Silos[1]);
        var state = await cluster.Baton.WaitAsync(childRunId).WaitAsync(Bound);

        Assert.Equal(RunStatus.Succeeded, published.Status);
        Assert.Equal(RunStatus.Succeeded, state.Status);
        Assert.Equal(1, ledger.Count(childRunId, "first"));
        Assert.Equal(2, ledger.Count(childRunId, "second"));
        Assert.Equal("one order-8 two", (await cluster.Store.ReadJournalAsync(childRunId)).Last(e => e.Kind == JournalEntryKind.StepCompleted).Payload!.AsText());
        Assert.Equal(published.RunId, (await cluster.Store.GetRunAsync(childRunId))!.ParentRunId);
    }

    /// <summary>Reads the cluster's dead letters until <paramref name="count"/> are there: the workers report them in the background.</summary>
    private static async Task<IReadOnlyList<ClusterDeadLetter>> DeadLettersAsync(ClusterEvents events, int count)
    {
        using var bound = new CancellationTokenSource(Bound);
        while (true)
        {
            var letters = await events.DeadLettersAsync(bound.Token);
            if (letters.Count >= count) return letters;
            await Task.Delay(20, bound.Token);
        }
    }
}
