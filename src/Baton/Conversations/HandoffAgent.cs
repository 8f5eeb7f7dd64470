namespace Baton;

/// <summary>One agent of a handoff: its name in the handoff, the agent, and whom it may hand the conversation to.</summary>
/// <param name="Name">Its name in the handoff (its turns' step id, its messages' <c>from</c>, and the <c>transfer_to_NAME</c> others call).</param>
/// <param name="Agent">The agent that speaks; only an <see cref="IConversationAgent"/> (a model agent) can transfer.</param>
/// <param name="To">The names of the handoff's agents it may transfer to.</param>
public sealed record HandoffAgent(string Name, IAgent Agent, IReadOnlyList<string> To)
{
    /// <summary>What the agent handles, shown to the others in the description of the tool that transfers to it; null for a generic one.</summary>
    public string? Description { get; init; }
}
