namespace Baton;

/// <summary>
/// An agent that takes part in a conversation natively: it reads the transcript as a conversation (a model agent sees
/// the messages as chat history, each under its speaker's name, its own as its replies) and may hand the conversation
/// over. Agents without it receive the transcript as the payload <c>{ task, messages: [{ from, text }] }</c>.
/// </summary>
public interface IConversationAgent : IAgent
{
    /// <summary>Takes one turn: answers, or asks to transfer the conversation to one of <see cref="ConversationTurn.Transfers"/>.</summary>
    /// <exception cref="RunSuspendedException">The run suspends (a tool waits for a person's approval): let it through.</exception>
    ValueTask<ConversationReply> ReplyAsync(ConversationTurn turn, IStepContext context, CancellationToken cancellationToken);
}
