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
    /// Sends a request now (not at commit: the answer is needed before this step can finish) and
    /// waits for the reply; fails with a transient error of code <c>reply_timeout</c> after <paramref name="timeout"/>.
    /// </summary>
    Task<Message> RequestAsync(string recipient, Payload content, TimeSpan timeout, CancellationToken cancellationToken, int priority = 0);

    /// <summary>Answers a request this agent received; the requester gets it at once.</summary>
    void Reply(Message request, Payload content);
}
