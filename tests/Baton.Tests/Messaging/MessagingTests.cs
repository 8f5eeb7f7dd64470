using Baton.Storage;
using Baton.Tests.Engine;

namespace Baton.Tests.Messaging;

public sealed class MessagingTests
{
    [Fact]
    public async Task A_flooded_mailbox_delivers_higher_priority_first_and_fifo_within_a_priority()
    {
        var random = new Random(7);
        var sent = Enumerable.Range(0, 40).Select(i => (Priority: random.Next(0, 4), Number: i)).ToArray();
        var flood = Agent.Create("flood", (input, context) =>
        {
            foreach (var (priority, number) in sent) context.Messaging.Send("reader", Payload.From(number), priority);
            return AgentResult.Success(input);
        });
        var reader = Agent.Create("reader", (input, context) =>
        {
            var order = new List<int>();
            while (context.Messaging.TryReceive(out var message)) order.Add(message.Payload.Get<int>());
            return AgentResult.Success(Payload.From(order));
        });
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(SequentialBuilder.Create("mail", flood, reader), "x");

        var expected = sent.OrderByDescending(m => m.Priority).ThenBy(m => m.Number).Select(m => m.Number);
        Assert.Equal(expected, result.Output!.Get<int[]>());
    }

    [Fact]
    public async Task A_request_gets_its_reply_from_an_agent_running_beside_it()
    {
        var asker = Agent.Create("asker", async (input, context, ct) =>
        {
            var reply = await context.Messaging.RequestAsync("expert", "what is 6 x 7?", TimeSpan.FromSeconds(30), ct);
            return AgentResult.Success($"{reply.Sender} said {reply.Payload}");
        });
        var expert = Agent.Create("expert", async (input, context, ct) =>
        {
            var question = await context.Messaging.ReceiveAsync(ct);
            context.Messaging.Reply(question, "42");
            return AgentResult.Success($"answered '{question.Payload}'");
        });
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(new ParallelBuilder("desk").Branch(asker).Branch(expert).MergeWith(Merge.ByName).Build(), "x")
            .WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("""{"asker":"expert said 42","expert":"answered 'what is 6 x 7?'"}""", result.Output!.AsText());
        var journal = await runtime.Store.ReadJournalAsync(result.RunId);
        var askerEntry = journal.Single(e => e.StepId == "asker");
        var expertEntry = journal.Single(e => e.StepId == "expert");
        var request = Assert.Single(askerEntry.Messages!);
        Assert.Equal(("asker", "expert"), (request.Sender, request.Recipient));
        Assert.Equal(request.Id, Assert.Single(expertEntry.Received!));
        Assert.Equal(request.Id, Assert.Single(expertEntry.Messages!).ReplyTo);
    }

    [Fact]
    public async Task A_request_nobody_answers_times_out_with_a_clear_error()
    {
        var asker = Agent.Create("asker", async (input, context, ct) =>
        {
            var reply = await context.Messaging.RequestAsync("nobody", "hello?", TimeSpan.FromSeconds(5), ct);
            return AgentResult.Success(reply.Payload);
        });
        var time = new FakeTime();
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = time, Limits = RunLimits.Default with { Timeout = null } }); // no deadline for fake time to jump to
        var workflow = new SequentialBuilder("lonely").Then(asker, retry: RetryPolicy.None).Build();

        var run = runtime.Start(workflow, "x");
        await time.AdvanceToTimerAsync(TimeSpan.FromSeconds(5)); // the request's wait, once armed
        var result = await run.Completion.Within();

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal(("reply_timeout", ErrorKind.Transient), (result.Error!.Code, result.Error.Kind));
        Assert.Contains("no reply from 'nobody' within 00:00:05", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_taken_by_a_failed_attempt_is_received_again_by_the_retry()
    {
        var attempts = new List<string>();
        var sender = Agent.Create("sender", (input, context) =>
        {
            context.Messaging.Send("picky", "only message");
            return AgentResult.Success(input);
        });
        var picky = Agent.Create("picky", (input, context) =>
        {
            var got = context.Messaging.TryReceive(out var message) ? message.Payload.AsText() : "(empty)";
            attempts.Add(got);
            return context.Attempt == 1 ? AgentResult.Failure(ErrorKind.Transient, "flaky") : AgentResult.Success(got);
        });
        var time = new FakeTime();
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = time, Limits = RunLimits.Default with { Timeout = null } }); // no deadline for fake time to jump to

        var run = runtime.Start(SequentialBuilder.Create("retry", sender, picky), "x");
        await time.AdvanceToTimerAsync(TimeSpan.FromMilliseconds(200)); // the backoff, once armed
        var result = await run.Completion.Within();

        Assert.Equal("only message", result.Output!.AsText());
        Assert.Equal(["only message", "only message"], attempts);
    }

    [Fact]
    public async Task After_a_crash_the_mailbox_holds_what_committed_steps_sent_and_did_not_consume()
    {
        var crash = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var crashOnce = true;
        var sender = Agent.Create("sender", (input, context) =>
        {
            context.Messaging.Send("reader", "first");
            context.Messaging.Send("reader", "second");
            return AgentResult.Success(input);
        });
        var reader = Agent.Create("reader", async (input, context, ct) =>
        {
            var message = await context.Messaging.ReceiveAsync(ct);
            if (context.StepId == "read2" && crashOnce)
            {
                crashOnce = false;
                crash.SetResult();
                await Task.Delay(Timeout.Infinite, ct); // the process dies holding "second", uncommitted
            }

            return AgentResult.Success(message.Payload);
        });
        var workflow = new SequentialBuilder("mail")
            .Then(sender)
            .Then(new AgentStep(reader, "read1"))
            .Then(new AgentStep(reader, "read2"))
            .Build();
        await using var first = new BatonRuntime();
        var doomed = first.Start(workflow, "x");
        await crash.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var store = await JournalCopy.PrefixAsync(first.Store, doomed.RunId, (await first.Store.ReadJournalAsync(doomed.RunId)).Count);
        doomed.Cancel();

        await using var second = new BatonRuntime(new BatonOptions { Store = store });
        var resumed = await (await second.ResumeAsync(doomed.RunId, workflow)).Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        Assert.Equal("second", resumed.Output!.AsText());
        var read1 = (await store.ReadJournalAsync(doomed.RunId)).Single(e => e.StepId == "read1");
        Assert.Equal("first", read1.Payload!.AsText());
    }
}
