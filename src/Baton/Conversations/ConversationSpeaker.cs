using System.Text.Json;
using System.Text.Json.Nodes;

namespace Baton;

/// <summary>
/// One participant of a conversation step (a group chat member or manager, a handoff agent, a team member): runs each
/// of its turns as a child step of the conversation, journaled and reported on its own, the step named after the
/// participant. A conversation agent gets the turn as a conversation; any other agent gets the transcript payload.
/// </summary>
internal sealed class ConversationSpeaker
{
    /// <summary>The property of a turn's journaled output that records a transfer (reserved: a plain answer should not use it).</summary>
    public const string TransferProperty = "$transfer";

    /// <summary>The property of a turn's input that carries <see cref="ConversationTurn.Prompt"/>.</summary>
    public const string PromptProperty = "prompt";

    /// <summary>Prepares a participant.</summary>
    /// <param name="name">Its name in the conversation (the step id of its turns, and the <c>from</c> of its messages).</param>
    /// <param name="agent">The agent that speaks.</param>
    /// <param name="transfers">Whom it may hand the conversation to (a handoff); none elsewhere.</param>
    public ConversationSpeaker(string name, IAgent agent, IReadOnlyList<HandoffTarget>? transfers = null)
    {
        ArgumentNullException.ThrowIfNull(agent);
        StepKey.CheckName(name, "a conversation participant's name", nameof(name));
        Name = name;
        Agent = agent;
        Transfers = transfers ?? [];
        var speaker = agent is IConversationAgent talker ? new TurnAgent(talker, name, Transfers) : agent;
        Workflow = new WorkflowBuilder(name).AddStep(speaker, id: name).Build();
    }

    public string Name { get; }

    public IAgent Agent { get; }

    public IReadOnlyList<HandoffTarget> Transfers { get; }

    /// <summary>The workflow of one turn: the participant's one step.</summary>
    public Workflow Workflow { get; }

    /// <summary>Takes a turn as the child <paramref name="turnName"/> of the conversation step; a resumed run replays a turn that completed.</summary>
    public ValueTask<AgentResult> TakeTurnAsync(StepContext context, string turnName, Transcript transcript, string? prompt, CancellationToken cancellationToken) =>
        TakeTurnAsync(context, turnName, Input(transcript, prompt, null), cancellationToken);

    /// <summary>Takes a turn on an input made by the caller (a transcript object with properties of its own).</summary>
    public ValueTask<AgentResult> TakeTurnAsync(StepContext context, string turnName, Payload input, CancellationToken cancellationToken) =>
        context.RunChildAsync(Workflow, turnName, input, cancellationToken);

    /// <summary>A turn's input: the transcript, with the prompt and any extra properties.</summary>
    public static Payload Input(Transcript transcript, string? prompt, IEnumerable<KeyValuePair<string, JsonNode?>>? extra)
    {
        var input = transcript.ToPayload(extra, PromptProperty, prompt);
        // The turn reads the conversation it was written from instead of parsing it again (a resumed turn parses it).
        Written.AddOrUpdate(input, new WrittenTurn(transcript, prompt));
        return input;
    }

    /// <summary>Each turn input this process wrote, with what it was written from; gone with the payload.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Payload, WrittenTurn> Written = new();

    private sealed record WrittenTurn(Transcript Transcript, string? Prompt);

    /// <summary>The transfer a turn's output records, or null for a plain answer.</summary>
    public static ConversationTransfer? TransferOf(Payload output)
    {
        if (output.Kind != PayloadKind.Json || output.AsJson() is not { ValueKind: JsonValueKind.Object } json
            || !json.TryGetProperty(TransferProperty, out var transfer) || transfer.ValueKind != JsonValueKind.Object
            || !transfer.TryGetProperty("to", out var to) || to.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        return new ConversationTransfer(to.GetString()!, transfer.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : "");
    }

    /// <summary>What a turn said, as transcript text (on a transfer: what the speaker said beside it).</summary>
    public static string TextOf(Payload output)
    {
        if (TransferOf(output) is not null)
        {
            return output.AsJson().TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString()! : "";
        }

        return output.AsText();
    }

    /// <summary>A conversation agent's turn: reads the transcript, lets the agent reply, and records a transfer in the output.</summary>
    private sealed class TurnAgent(IConversationAgent agent, string speaker, IReadOnlyList<HandoffTarget> transfers) : IAgent
    {
        public string Name => agent.Name;

        public async ValueTask<AgentResult> InvokeAsync(Payload input, IStepContext context, CancellationToken cancellationToken)
        {
            Transcript transcript;
            string? prompt;
            if (Written.TryGetValue(input, out var written)) (transcript, prompt) = (written.Transcript, written.Prompt);
            else
            {
                transcript = Transcript.FromPayload(input);
                prompt = input.AsJson().TryGetProperty(PromptProperty, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            }

            var reply = await agent.ReplyAsync(new ConversationTurn(transcript, speaker) { Transfers = transfers, Prompt = prompt }, context, cancellationToken).ConfigureAwait(false);
            if (reply.Transfer is not { } transfer || !reply.Result.IsSuccess) return reply.Result;
            if (!transfers.Any(t => t.Name == transfer.To))
            {
                return AgentResult.Failure(new StepError(ErrorKind.Fatal,
                    $"agent '{agent.Name}' transferred to '{transfer.To}', which is not one of its targets ({(transfers.Count == 0 ? "none" : string.Join(", ", transfers.Select(t => t.Name)))})")
                { Code = "invalid_transfer" }) with { Usage = reply.Result.Usage };
            }

            var output = new JsonObject
            {
                [TransferProperty] = new JsonObject { ["to"] = transfer.To, ["reason"] = transfer.Reason },
                ["text"] = reply.Result.Output.AsText(),
            };
            return AgentResult.Success(Payload.ParseJson(output.ToJsonString()), reply.Result.Confidence, reply.Result.Usage);
        }
    }
}
