namespace Baton.CrashHost;

/// <summary>
/// The conversation shapes the crash tests kill mid-conversation: a round-robin group chat and a ring of handoff desks.
/// Every turn logs its execution, takes a few milliseconds and makes its side effect in the ledger; each message carries the conversation so far, so the
/// output shows the whole transcript in order.
/// </summary>
public static class ConversationShapes
{
    /// <summary>Three members, nine turns; each says the last message (or the task) followed by its name.</summary>
    public static Workflow GroupChat(CrashEffects effects)
    {
        IAgent Member(string name) => Agent.Create(name, async (input, context, ct) =>
        {
            await effects.ExecutedAsync(context.IdempotencyKey);
            await Task.Delay(8 + context.Random.Next(12), ct);
            effects.Effect(context.IdempotencyKey, context.RunId);
            var transcript = Transcript.FromPayload(input);
            return AgentResult.Success(Payload.FromText($"{transcript.Last?.Text ?? transcript.Task.AsText()}>{name}"));
        });

        return new GroupChatBuilder("crash-groupchat").Members(Member("writer"), Member("critic"), Member("editor")).MaxTurns(9).Build();
    }

    /// <summary>Three desks in a ring: each transfers to the next until eight transfers were made, then answers with who spoke.</summary>
    public static Workflow Handoff(CrashEffects effects) => new HandoffBuilder("crash-handoff")
        .Agent(new RingDesk("d1", "d2", effects), "d2")
        .Agent(new RingDesk("d2", "d3", effects), "d3")
        .Agent(new RingDesk("d3", "d1", effects), "d1")
        .Build();

    private sealed class RingDesk(string name, string next, CrashEffects effects) : IConversationAgent
    {
        public string Name => name;

        public ValueTask<AgentResult> InvokeAsync(Payload input, IStepContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("a handoff calls ReplyAsync");

        public async ValueTask<ConversationReply> ReplyAsync(ConversationTurn turn, IStepContext context, CancellationToken cancellationToken)
        {
            await effects.ExecutedAsync(context.IdempotencyKey);
            await Task.Delay(8 + context.Random.Next(12), cancellationToken);
            effects.Effect(context.IdempotencyKey, context.RunId);
            var messages = turn.Transcript.Messages;
            if (messages.Count < 8) return new ConversationReply(AgentResult.Success(Payload.Empty), new ConversationTransfer(next, $"turn {messages.Count + 1}"));
            return AgentResult.Success(Payload.FromText(string.Join(">", messages.Select(m => m.From).Prepend(turn.Transcript.Task.AsText()).Append(name))));
        }
    }
}
