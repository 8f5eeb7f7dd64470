using Baton.Reports;
using Baton.Storage;

namespace Baton.Tests.Conversations;

public sealed class HandoffTests
{
    /// <summary>A conversation agent that follows a script: each turn either transfers or answers.</summary>
    private sealed class Desk(string name, Func<ConversationTurn, ConversationReply> reply) : IConversationAgent
    {
        public List<ConversationTurn> Turns { get; } = [];

        public string Name => name;

        public ValueTask<AgentResult> InvokeAsync(Payload input, IStepContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("a handoff calls ReplyAsync");

        public ValueTask<ConversationReply> ReplyAsync(ConversationTurn turn, IStepContext context, CancellationToken cancellationToken)
        {
            Turns.Add(turn);
            return ValueTask.FromResult(reply(turn));
        }
    }

    private static ConversationReply Transfer(string to, string reason) => new(AgentResult.Success(Payload.Empty), new ConversationTransfer(to, reason));

    private static ConversationReply Answer(string text) => AgentResult.Success(Payload.FromText(text));

    [Fact]
    public async Task The_agent_in_charge_transfers_with_a_reason_and_the_first_plain_answer_is_the_output()
    {
        var triage = new Desk("triage", _ => Transfer("billing", "refund request"));
        var billing = new Desk("billing", turn => Answer($"refunded ({turn.Transcript.Messages.Count} message)"));
        var tech = new Desk("tech", _ => Answer("rebooted"));
        var store = new InMemoryRunStore();
        await using var runtime = new BatonRuntime(new BatonOptions { Store = store });
        var workflow = new HandoffBuilder("desk").Agent(triage, "billing", "tech").Agent(billing, "triage").Agent(tech).Build();

        var result = await runtime.RunAsync(workflow, "I was charged twice");

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("refunded (1 message)", result.Output!.AsText());
        Assert.Equal(["billing", "tech"], triage.Turns[0].Transfers.Select(t => t.Name));
        var handed = Assert.Single(billing.Turns);
        Assert.Equal("billing", handed.Speaker);
        Assert.Equal("I was charged twice", handed.Transcript.Task.AsText());
        Assert.Equal(new TranscriptMessage("triage", "[transferred to billing: refund request]"), Assert.Single(handed.Transcript.Messages));
        Assert.Empty(tech.Turns);
        var report = await new RunReportBuilder(store).BuildAsync(result.RunId, workflow);
        Assert.Equal(["desk", "desk/1/triage", "desk/2/billing"], report.Steps.Select(s => s.Path));
    }

    [Fact]
    public async Task A_transfer_to_an_agent_outside_to_fails_the_turn_with_invalid_transfer()
    {
        var triage = new Desk("triage", _ => Transfer("tech", "wrong desk"));
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(new HandoffBuilder("desk").Agent(triage, "billing").Agent(new Desk("billing", _ => Answer("ok"))).Agent(new Desk("tech", _ => Answer("ok"))).Build(), "help");

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("invalid_transfer", result.Error!.Code);
        Assert.Contains("transferred to 'tech', which is not one of its targets (billing)", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ping_pong_past_max_handoffs_fails_with_handoff_limit_and_the_transcript()
    {
        var a = new Desk("a", _ => Transfer("b", "yours"));
        var b = new Desk("b", _ => Transfer("a", "no, yours"));
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(new HandoffBuilder("desk").Agent(a, "b").Agent(b, "a").MaxHandoffs(3).Build(), "help");

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("handoff_limit", result.Error!.Code);
        Assert.Contains("limit of 3 transfer(s) (a → b → a → b → a)", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(4, a.Turns.Count + b.Turns.Count);
    }

    [Fact]
    public async Task A_plain_agent_in_a_handoff_answers_from_the_transcript_payload()
    {
        var triage = new Desk("triage", _ => Transfer("faq", "common question"));
        var faq = Agent.Create("faq", input => Payload.FromText($"faq saw {Transcript.FromPayload(input).Messages.Count}"));
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(new HandoffBuilder("desk").Agent(triage, "faq").Agent(faq).Build(), "hours?");

        Assert.Equal("faq saw 1", result.Output!.AsText());
    }

    [Fact]
    public async Task A_failing_agent_fails_the_handoff_with_its_error()
    {
        var triage = new Desk("triage", _ => Transfer("billing", "refund"));
        var billing = Agent.Create("billing", (Func<Payload, Payload>)(_ => throw new InvalidOperationException("ledger offline")));
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(new HandoffBuilder("desk").Agent(triage, "billing").Agent(billing).Build(), "refund");

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("ledger offline", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_the_run_stops_the_agent_in_charge()
    {
        var speaking = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var triage = new Desk("triage", _ => Transfer("billing", "refund"));
        var billing = Agent.Create("billing", async (_, _, ct) =>
        {
            speaking.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return AgentResult.Success("never");
        });
        await using var runtime = new BatonRuntime();
        var run = runtime.Start(new HandoffBuilder("desk").Agent(triage, "billing").Agent(billing).Build(), "refund");

        await speaking.Task.WaitAsync(TimeSpan.FromSeconds(10));
        run.Cancel();
        var result = await run.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(RunStatus.Cancelled, result.Status);
    }

    [Fact]
    public void A_handoff_is_checked_when_built()
    {
        var a = new Desk("a", _ => Answer("x"));
        Assert.Contains("none of the handoff's agents", Assert.Throws<ArgumentException>(() => new HandoffBuilder("h").Agent(a, "billing").Build()).Message, StringComparison.Ordinal);
        Assert.Contains("cannot transfer to itself", Assert.Throws<ArgumentException>(() => new HandoffBuilder("h").Agent(a, "a").Build()).Message, StringComparison.Ordinal);
        Assert.Contains("starts at 'b'", Assert.Throws<ArgumentException>(() => new HandoffBuilder("h").Agent(a).StartWith("b").Build()).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => new HandoffBuilder("h").Build());
    }
}
