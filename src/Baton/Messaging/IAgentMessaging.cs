using System.Diagnostics.CodeAnalysis;

namespace Baton;

/// <summary>
/// Direct messages between the agents of one run. Each agent has a mailbox: higher priority is
/// received first, first-in first-out within a priority. Every message is journaled with the
/// step that sent it, and a message a step received is consumed only when that step commits.
/// </summary>
public interface IAgentMessaging
{
    /// <summary>Sends a message to an agent of this run; it is delivered when this step commits.</summary>
    void Send(string recipient, Payload content, int priority = 0);

    /// <summary>Takes the next message for this agent, waiting until one arrives.</summary>
    ValueTask<Message> ReceiveAsync(CancellationToken cancellationToken);

    /// <summary>Takes the next message for this agent if one is waiting.</summary>
    bool TryReceive([NotNullWhen(true)] out Message? message);

    /// <summary>
    /// Sends a request and waits for its reply. Unlike <see cref="Send"/>, the request reaches the
    /// recipient's mailbox at once, not at this step's commit (the answer is needed before this step can
    /// finish), and it stays there even if this step then fails; it is journaled with this step's commit.
    /// The reply comes straight back to this call, never through this agent's mailbox. After
    /// <paramref name="timeout"/> on the run's clock it throws an <see cref="AgentException"/>, transient,
    /// code <c>reply_timeout</c>; a retry of the step sends a new request (its id names the attempt).
    /// </summary>
    Task<Message> RequestAsync(string recipient, Payload content, TimeSpan timeout, CancellationToken cancellationToken, int priority = 0);

    /// <summary>
    /// Answers a request this agent received: the requester gets the reply at once, not at this step's
    /// commit (the reply is journaled with the commit). A reply its requester is not waiting for is kept for
    /// a requester that asks again after a resume.
    /// </summary>
    void Reply(Message request, Payload content);
}
