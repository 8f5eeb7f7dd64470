using System.Collections.Concurrent;
using Baton.Storage;

namespace Baton.Tests.Events;

/// <summary>Agents and workflows as subscribers: every matching event starts a run.</summary>
public sealed class EventSubscriberTests
{
    [Fact]
    public async Task An_agent_subscriber_starts_one_run_per_event_with_the_payload_as_input()
    {
        using var script = new AgentScript();
        var triage = script.Agent("triage").Returns("spam").Returns("urgent");
        await using var runtime = new BatonRuntime();
        runtime.Events.Subscribe("email.*", triage);

        await runtime.Events.PublishAsync("email.received", "buy cheap watches");
        await runtime.Events.PublishAsync("email.forwarded", "the server is down");
        await runtime.Events.PublishAsync("sms.received", "not for triage");
        await runtime.Events.WhenIdleAsync().Within();

        Assert.Equal(["buy cheap watches", "the server is down"], triage.Calls.Select(c => c.Input.AsText()));
        var runs = await runtime.Store.ListRunsAsync();
        Assert.Equal(2, runs.Count);
        foreach (var run in runs)
        {
            Assert.Equal("triage", run.Workflow);
            Assert.Equal(RunStatus.Succeeded, run.Status);
            Assert.Null(run.ParentRunId);
        }

        var outputByInput = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var run in runs)
        {
            var journal = await runtime.Store.ReadJournalAsync(run.RunId);
            Assert.Equal(JournalEntryKind.RunStarted, journal[0].Kind);
            Assert.Equal(JournalEntryKind.RunSucceeded, journal[^1].Kind);
            outputByInput[journal[0].Payload!.AsText()] = journal[^1].Payload!.AsText();
        }

        Assert.Equal("spam", outputByInput["buy cheap watches"]);
        Assert.Equal("urgent", outputByInput["the server is down"]);
        Assert.Equal(2, runtime.Events.Subscriptions.Single().Delivered);
    }

    [Fact]
    public async Task An_event_published_by_a_step_starts_a_child_run_of_a_workflow_subscriber()
    {
        using var script = new AgentScript();
        var receive = script.Agent("receive").Then((input, context, _) =>
        {
            context.Publish("email.received", $"from alice: {input.AsText()}");
            return new ValueTask<AgentResult>(AgentResult.Success("stored"));
        });
        var classify = script.Agent("classify").Then((input, _, _) => new ValueTask<AgentResult>(AgentResult.Success($"urgent | {input.AsText()}")));
        var file = script.Agent("file").Then((input, _, _) => new ValueTask<AgentResult>(AgentResult.Success($"filed [{input.AsText()}]")));
        var intake = SequentialBuilder.Create("intake", receive);
        var triage = SequentialBuilder.Create("triage", classify, file);
        await using var runtime = new BatonRuntime();
        var subscription = runtime.Events.Subscribe("email.*", triage);

        var parent = await runtime.RunAsync(intake, "server down");
        await runtime.Events.WhenIdleAsync().Within();

        Assert.Equal(RunStatus.Succeeded, parent.Status);
        Assert.Equal("triage", subscription.Name);
        Assert.Equal(1, subscription.Delivered);
        var child = Assert.Single(await runtime.Store.ListRunsAsync(), r => r.Workflow == "triage");
        Assert.Equal(parent.RunId, child.ParentRunId);
        Assert.Equal(RunStatus.Succeeded, child.Status);
        var journal = await runtime.Store.ReadJournalAsync(child.RunId);
        Assert.Equal("from alice: server down", journal[0].Payload!.AsText());
        Assert.Equal("filed [urgent | from alice: server down]", journal[^1].Payload!.AsText());
    }

    [Fact]
    public async Task A_step_publishes_only_once_it_has_committed()
    {
        using var script = new AgentScript();
        var charge = script.Agent("charge").Then((_, context, _) =>
        {
            context.Publish("payments.charged", "order-7");
            return new ValueTask<AgentResult>(AgentResult.Success("charged"));
        });
        await using var runtime = new BatonRuntime();
        var seen = new ConcurrentQueue<(Message Message, IReadOnlyList<JournalEntry> PublisherJournal)>();
        runtime.Events.Subscribe("payments.*", "ledger", async (message, ct) =>
            seen.Enqueue((message, await runtime.Store.ReadJournalAsync(message.RunId!, 0, ct))));

        var run = await runtime.RunAsync(SequentialBuilder.Create("checkout", charge), "cart");
        await runtime.Events.WhenIdleAsync().Within();

        var (message, journal) = Assert.Single(seen);
        Assert.Equal(run.RunId, message.RunId);
        Assert.Equal("charge", message.Sender);
        Assert.Equal("order-7", message.Payload.AsText());

        // When the subscriber got the event, the step that published it was already in the journal, with the event.
        var committed = Assert.Single(journal, e => e.Kind == JournalEntryKind.StepCompleted);
        Assert.Equal("charge", committed.StepId);
        Assert.Equal(message.Id, Assert.Single(committed.Messages!).Id);
    }

    [Fact]
    public async Task A_failed_step_publishes_nothing_and_a_retried_step_publishes_only_its_successful_attempt()
    {
        var time = new FakeTime();
        using var script = new AgentScript();
        var notify = script.Agent("notify")
            .Then((_, context, _) =>
            {
                context.Publish("audit.notified", "attempt 1");
                return new ValueTask<AgentResult>(AgentResult.Failure(ErrorKind.Transient, "mail server busy"));
            })
            .Then((_, context, _) =>
            {
                context.Publish("audit.notified", "attempt 2");
                return new ValueTask<AgentResult>(AgentResult.Success("sent"));
            });
        var broken = script.Agent("broken").Then((_, context, _) =>
        {
            context.Publish("audit.notified", "never");
            return new ValueTask<AgentResult>(AgentResult.Failure(ErrorKind.Fatal, "template missing"));
        });
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = time, Limits = RunLimits.Default with { Timeout = null } });
        var audit = new ConcurrentQueue<string>();
        runtime.Events.Subscribe("audit.*", "audit", (message, _) =>
        {
            audit.Enqueue(message.Payload.AsText());
            return ValueTask.CompletedTask;
        });

        var running = runtime.RunAsync(SequentialBuilder.Create("notify", notify), "order-1");
        await time.AdvanceToTimerAsync(TimeSpan.FromMilliseconds(200)); // the step's backoff, once armed
        var retried = await running.Within();
        var failed = await runtime.RunAsync(SequentialBuilder.Create("broken", broken), "order-2");
        await runtime.Events.WhenIdleAsync().Within();

        Assert.Equal(RunStatus.Succeeded, retried.Status);
        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Equal(["attempt 2"], audit);
    }

    [Fact]
    public async Task A_run_another_process_holds_is_waited_for_without_spending_a_delivery_attempt()
    {
        using var script = new AgentScript();
        var classify = script.Agent("classify").Returns("sorted");
        var triage = SequentialBuilder.Create("triage", classify);
        await using var runtime = new BatonRuntime();
        // One attempt only: a held run counted as a failed attempt would be dead-lettered at once.
        runtime.Events.Subscribe("email.*", triage, new SubscriptionOptions { Retry = new RetryPolicy { MaxAttempts = 1 } });
        var message = new Message { Id = "held-event", Topic = "email.received", Payload = "hello", Timestamp = DateTimeOffset.UtcNow };
        var runId = ChildRunIds.For(message.Id, "triage", "email.*");
        var now = DateTimeOffset.UtcNow;
        // Another process (a cluster's worker that took the stored run) holds it, then stops without finishing it.
        await runtime.Store.CreateRunAsync(new RunRecord { RunId = runId, Workflow = "triage", Status = RunStatus.Running, StartedAt = now, UpdatedAt = now },
            "another-process", TimeSpan.FromMilliseconds(300), [new JournalEntry { Kind = JournalEntryKind.RunStarted, Payload = "hello", Timestamp = now }]);

        await runtime.Events.PublishAsync(message);
        await runtime.Events.WhenIdleAsync().Within();

        Assert.Empty(runtime.Events.DeadLetters);
        Assert.Equal(RunStatus.Succeeded, (await runtime.Store.GetRunAsync(runId))!.Status);
        Assert.Equal(["hello"], classify.Calls.Select(c => c.Input.AsText()));
    }

    [Fact]
    public async Task A_failed_run_fails_the_delivery_and_the_retry_resumes_that_run()
    {
        var time = new FakeTime();
        using var script = new AgentScript();
        var parse = script.Agent("parse").Returns("INV-9 parsed");
        var post = script.Agent("post").Fails(ErrorKind.Recoverable, "ledger locked").Returns("posted");
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = time, Limits = RunLimits.Default with { Timeout = null } });
        var subscription = runtime.Events.Subscribe("invoices.*", SequentialBuilder.Create("book-invoice", parse, post));

        await runtime.Events.PublishAsync("invoices.received", "INV-9");
        // The delivery's backoff (at most 100 ms) passes once the failed run has armed it.
        await time.AdvanceToTimerAsync(TimeSpan.FromMilliseconds(100));
        await runtime.Events.WhenIdleAsync().Within();

        Assert.Equal(1, subscription.Delivered);
        Assert.Empty(runtime.Events.DeadLetters);
        var run = Assert.Single(await runtime.Store.ListRunsAsync());
        Assert.Equal(RunStatus.Succeeded, run.Status);

        // The retry continued the same run: the step that had completed did not run again, and
        // the failed step kept its idempotency key.
        Assert.Equal(1, parse.CallCount);
        Assert.Equal(2, post.CallCount);
        Assert.Single(post.Calls.Select(c => c.IdempotencyKey).Distinct());
        var journal = await runtime.Store.ReadJournalAsync(run.RunId);
        Assert.Equal("posted", journal[^1].Payload!.AsText());
    }

    [Fact]
    public async Task A_run_that_keeps_failing_is_dead_lettered_with_its_error_and_run_id()
    {
        var time = new FakeTime();
        using var script = new AgentScript();
        var parse = script.Agent("parse").Returns("INV-9 parsed");
        var post = script.Agent("post")
            .Fails(ErrorKind.Recoverable, "ledger locked")
            .Fails(ErrorKind.Recoverable, "ledger locked")
            .Fails(ErrorKind.Recoverable, "ledger still locked");
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = time, Limits = RunLimits.Default with { Timeout = null } });
        var subscription = runtime.Events.Subscribe("invoices.*", SequentialBuilder.Create("book-invoice", parse, post));

        await runtime.Events.PublishAsync("invoices.received", "INV-9");
        // The delivery's backoffs, at most 100 then 200 ms, each passed once armed.
        await time.AdvanceToTimerAsync(TimeSpan.FromMilliseconds(100));
        await time.AdvanceToTimerAsync(TimeSpan.FromMilliseconds(200));
        await runtime.Events.WhenIdleAsync().Within();

        var dead = Assert.Single(runtime.Events.DeadLetters);
        Assert.Equal("book-invoice", dead.Subscriber);
        Assert.Equal(3, dead.Attempts);
        Assert.Equal("ledger still locked", dead.Error.Message);
        Assert.Equal("post", dead.Error.StepId);
        Assert.Equal("INV-9", dead.Message.Payload.AsText());
        var run = Assert.Single(await runtime.Store.ListRunsAsync());
        Assert.Equal(run.RunId, dead.RunId);
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(1, parse.CallCount);
        Assert.Equal(0, subscription.Delivered);
        Assert.Equal(1, subscription.DeadLettered);
    }

    [Fact]
    public async Task A_fatal_run_failure_is_dead_lettered_without_retrying()
    {
        using var script = new AgentScript();
        var post = script.Agent("post").Fails(ErrorKind.Fatal, "account closed");
        await using var runtime = new BatonRuntime();
        runtime.Events.Subscribe("invoices.*", post);

        await runtime.Events.PublishAsync("invoices.received", "INV-10");
        await runtime.Events.WhenIdleAsync().Within();

        var dead = Assert.Single(runtime.Events.DeadLetters);
        Assert.Equal(1, dead.Attempts);
        Assert.Equal(ErrorKind.Fatal, dead.Error.Kind);
        Assert.Equal("account closed", dead.Error.Message);
        Assert.NotNull(dead.RunId);
    }
}
