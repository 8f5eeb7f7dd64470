namespace Baton;

/// <summary>How a speaker's turn ended: an answer, or (in a handoff) a transfer to another agent.</summary>
/// <param name="Result">The answer (on a transfer: what the speaker said beside it, often empty), its usage, or its failure.</param>
/// <param name="Transfer">The transfer the speaker asked for, or null for a plain answer.</param>
public readonly record struct ConversationReply(AgentResult Result, ConversationTransfer? Transfer = null)
{
    /// <summary>A plain answer (or a failure): no transfer.</summary>
    public static implicit operator ConversationReply(AgentResult result) => new(result);
}
