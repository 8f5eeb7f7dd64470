namespace Baton;

/// <summary>A speaker's decision to hand the conversation to another agent.</summary>
/// <param name="To">The target's name.</param>
/// <param name="Reason">Why, as the speaker put it (empty when it gave none).</param>
public sealed record ConversationTransfer(string To, string Reason);
