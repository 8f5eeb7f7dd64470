using System.Collections.Concurrent;
using Baton.Storage;

namespace Baton.Tests.Engine;

/// <summary>
/// A step whose agent answers at once ends on the kernel's quick path (no async state machine of its own); one that
/// answers later, or throws, or returns a faulted task, takes the general path. Every outcome must be the same on
/// both: the same result, the same journal, the same events published.
/// </summary>
public sealed class StepPathTests
{
    /// <summary>How the agent gives its answer.</summary>
    public enum Answer
    {
        /// <summary>A completed task, or an exception thrown before any task exists: the quick path.</summary>
        AtOnce,

        /// <summary>A task completed (or faulted) before it is returned, from an async method that never awaits.</summary>
        CompletedTask,

        /// <summary>Later, after yielding the thread: the general path.</summary>
        Later,
    }

    public static TheoryData<Answer> Answers => new(Enum.GetValues<Answer>());

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task A_chain_that_writes_state_sends_messages_and_publishes_gives_the_same_journal_on_every_path(Answer answer)
    {
        var (result, journal, published) = await RunAsync(answer, () => new SequentialBuilder("chain")
            .Then(Make("plain", answer, (input, _) => Payload.FromText(input.AsText() + "-1")))
            .Then(Make("writer", answer, (input, context) =>
            {
                context.SetState("seen", input);
                return Payload.FromText(input.AsText() + "-2");
            }))
            .Then(Make("sender", answer, (input, context) =>
            {
                context.Messaging.Send("nobody", Payload.FromText("hello"));
                context.Publish("chain.done", input);
                return Payload.FromText(input.AsText() + "-3");
            }))
            .Build());

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("x-1-2-3", result.Output!.AsText());
        Assert.Equal(["x-1-2"], published);
        Assert.Equal(
            [
                "StepCompleted 1:plain x-1 next=writer attempts=1",
                "StepCompleted 2:writer x-1-2 next=sender attempts=1 state=seen:x-1",
                "StepCompleted 3:sender x-1-2-3 next= attempts=1 messages=2",
                "EventsPublished 3:sender",
                "RunSucceeded",
            ],
            journal);
    }

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task An_agent_that_throws_is_retried_then_fails_to_its_error_route_on_every_path(Answer answer)
    {
        var calls = 0;
        var (result, journal, _) = await RunAsync(answer, () =>
        {
            var flaky = Make("flaky", answer, (input, _) => Interlocked.Increment(ref calls) < 3
                ? throw new HttpRequestException("503", null, System.Net.HttpStatusCode.ServiceUnavailable)
                : input);
            var broken = Make("broken", answer, (_, _) => throw new InvalidOperationException("bug"));
            var rescue = Make("rescue", answer, (input, _) => Payload.FromText("rescued"));
            return new StateMachineBuilder("retries")
                .State("flaky", flaky, retry: RetryPolicy.Default with { InitialDelay = TimeSpan.Zero })
                .State("broken", broken)
                .State("rescue", rescue)
                .Transition("flaky", "broken")
                .OnError("broken", "rescue")
                .Build();
        });

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("rescued", result.Output!.AsText());
        Assert.Equal(3, calls);
        Assert.Equal(
            [
                "StepCompleted 1:flaky x next=broken attempts=3",
                "StepFailed 2:broken error=System.InvalidOperationException next=rescue attempts=1",
                "StepCompleted 3:rescue rescued next= attempts=1",
                "RunSucceeded",
            ],
            journal);
    }

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task Limits_checked_at_commit_stop_the_step_the_same_way_on_every_path(Answer answer)
    {
        var (tooBig, bigJournal, _) = await RunAsync(answer, () => new SequentialBuilder("big")
            .Then(Make("bloat", answer, (_, _) => Payload.FromText(new string('a', 2048))), retry: RetryPolicy.None)
            .WithLimits(RunLimits.Default with { MaxPayloadBytes = 1024 })
            .Build());
        var (overBudget, _, _) = await RunAsync(answer, () => new SequentialBuilder("spend")
            .Then(Make("spender", answer, (input, _) => AgentResult.Success(input, usage: new Usage(600, 600, 0))))
            .Then(Make("never", answer, (input, _) => input))
            .WithLimits(RunLimits.Default with { MaxTokens = 1000 })
            .Build());
        var (badCondition, _, _) = await RunAsync(answer, () => new StateMachineBuilder("cond")
            .State("a", Make("a", answer, (input, _) => input))
            .State("b", Make("b", answer, (input, _) => input))
            .Transition("a", "b", when: _ => throw new InvalidOperationException("no"))
            .Build());

        Assert.Equal(RunStatus.Failed, tooBig.Status);
        Assert.Equal("payload_size", tooBig.Error!.Code);
        Assert.Equal(["StepFailed 1:bloat error=payload_size next= attempts=1", "RunFailed"], bigJournal);
        Assert.Equal(RunStatus.Failed, overBudget.Status);
        Assert.Equal("budget", overBudget.Error!.Code);
        Assert.Equal(1, overBudget.StepCount);
        Assert.Equal(RunStatus.Failed, badCondition.Status);
        Assert.Equal("condition", badCondition.Error!.Code);
    }

    private static IAgent Make(string name, Answer answer, Func<Payload, IStepContext, AgentResult> body) => answer switch
    {
        Answer.AtOnce => Agent.Create(name, (input, context, _) => new ValueTask<AgentResult>(body(input, context))),
#pragma warning disable CS1998 // An async method that never awaits: its task is complete (or faulted) when returned.
        Answer.CompletedTask => Agent.Create(name, async (input, context, _) => body(input, context)),
#pragma warning restore CS1998
        _ => Agent.Create(name, async (input, context, _) =>
        {
            await Task.Yield();
            return body(input, context);
        }),
    };

    private static async Task<(RunResult Result, string[] Journal, string[] Published)> RunAsync(Answer answer, Func<Workflow> build)
    {
        var store = new InMemoryRunStore();
        await using var runtime = new BatonRuntime(new BatonOptions { Store = store });
        var published = new ConcurrentQueue<string>();
        runtime.Events.Subscribe("chain.*", "listener", (message, _) =>
        {
            published.Enqueue(message.Payload.AsText());
            return ValueTask.CompletedTask;
        });

        var result = await runtime.RunAsync(build(), Payload.FromText("x")).Within();
        await runtime.Events.WhenIdleAsync().Within();
        var journal = (await store.ReadJournalAsync(result.RunId)).Where(e => e.Kind != JournalEntryKind.RunStarted).Select(Describe).ToArray();
        return (result, journal, published.ToArray());
    }

    private static string Describe(JournalEntry entry) => entry.Kind switch
    {
        JournalEntryKind.StepCompleted => $"StepCompleted {entry.Key} {entry.Payload?.AsText()} next={entry.Next} attempts={entry.Attempts}"
            + (entry.StateChanges is { Count: > 0 } changes ? " state=" + string.Join(",", changes.Select(c => $"{c.Name}:{c.Value.AsText()}")) : "")
            + (entry.Messages is { Count: > 0 } messages ? $" messages={messages.Count}" : ""),
        JournalEntryKind.StepFailed => $"StepFailed {entry.Key} error={entry.Error?.Code ?? entry.Error?.ExceptionType} next={entry.Next} attempts={entry.Attempts}",
        JournalEntryKind.EventsPublished => $"EventsPublished {entry.Key}",
        _ => entry.Kind.ToString(),
    };
}
