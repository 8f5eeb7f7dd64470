namespace Baton;

/// <summary>What one speaker of a conversation is asked to do in its turn.</summary>
/// <param name="Transcript">The conversation so far.</param>
/// <param name="Speaker">The name the speaker goes by in the conversation: its own messages are the ones from this name.</param>
public sealed record ConversationTurn(Transcript Transcript, string Speaker)
{
    /// <summary>The agents the speaker may hand the conversation to (a handoff), each offered as a <c>transfer_to_NAME</c> tool.</summary>
    public IReadOnlyList<HandoffTarget> Transfers { get; init; } = [];

    /// <summary>A last instruction after the transcript (a manager asked who speaks next), or null.</summary>
    public string? Prompt { get; init; }
}
