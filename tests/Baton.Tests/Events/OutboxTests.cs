using System.Collections.Concurrent;
using Baton.Storage;

namespace Baton.Tests.Events;

public sealed class OutboxTests
{
    [Fact]
    public async Task A_committed_steps_events_are_published_on_resume_when_the_run_stopped_before_publishing_them()
    {
        using var script = new AgentScript();
        var notify = script.Agent("notify").Then((_, c, _) =>
        {
            c.Publish("orders.confirmed", "order-1");
            return new ValueTask<AgentResult>(AgentResult.Success("notified"));
        });
        var archive = script.Agent("archive").Returns("archived");
        await using var runtime = new BatonRuntime();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = new ConcurrentQueue<Message>();
        runtime.Events.Subscribe("orders.*", "mailer", async (m, ct) =>
        {
            entered.TrySetResult();
            await gate.Task.WaitAsync(ct);
            received.Enqueue(m);
        }, new SubscriptionOptions { QueueCapacity = 1 });
        await runtime.Events.PublishAsync("orders.placed", "order-0");
        await entered.Task.Within();
        await runtime.Events.PublishAsync("orders.placed", "order-0b"); // the mailer's queue is now full
        var workflow = SequentialBuilder.Create("confirm", notify, archive);

        var handle = runtime.Start(workflow, "cart");
        while (await runtime.Store.GetRunAsync(handle.RunId) is null
            || !(await runtime.Store.ReadJournalAsync(handle.RunId)).Any(e => e.Kind == JournalEntryKind.StepCompleted))
        {
            await Task.Yield();
        }

        handle.Cancel(); // stopped while its committed event waits for room on the bus
        Assert.Equal(RunStatus.Cancelled, (await handle.Completion.Within()).Status);
        gate.SetResult();
        await Durability.Interrupted.MarkAsync(runtime.Store, handle.RunId);
        var resumed = await (await runtime.ResumeAsync(handle.RunId, workflow)).Completion.Within();
        await runtime.Events.WhenIdleAsync().Within();

        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        var confirmed = Assert.Single(received, m => m.Topic == "orders.confirmed");
        Assert.Equal("order-1", confirmed.Payload.AsText());
        Assert.StartsWith($"{handle.RunId}/1:notify#1.", confirmed.Id, StringComparison.Ordinal);
        var journal = await runtime.Store.ReadJournalAsync(handle.RunId);
        Assert.Single(journal, e => e.Kind == JournalEntryKind.EventsPublished && e.Key == "1:notify");
    }

    [Fact]
    public async Task A_step_whose_events_went_out_does_not_publish_them_again_on_resume()
    {
        var received = new ConcurrentQueue<string>();
        var announce = Agent.Create("announce", (input, context) =>
        {
            context.Publish("news", "once");
            return AgentResult.Success(input);
        });
        var calls = 0;
        var fail = Agent.Create("fail", (_, _) => Interlocked.Increment(ref calls) == 1 ? AgentResult.Failure(ErrorKind.Fatal, "later") : AgentResult.Success("done"));
        await using var runtime = new BatonRuntime();
        runtime.Events.Subscribe("news", "reader", (m, _) =>
        {
            received.Enqueue(m.Payload.AsText());
            return ValueTask.CompletedTask;
        });
        var workflow = SequentialBuilder.Create("news", announce, fail);

        var failed = await runtime.RunAsync(workflow, "x");
        await runtime.Events.WhenIdleAsync().Within();
        var resumed = await (await runtime.ResumeAsync(failed.RunId, workflow)).Completion.Within();
        await runtime.Events.WhenIdleAsync().Within();

        Assert.Equal((RunStatus.Failed, RunStatus.Succeeded), (failed.Status, resumed.Status));
        Assert.Equal(["once"], received);
    }
}
