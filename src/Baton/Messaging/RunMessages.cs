namespace Baton;

/// <summary>
/// A run's mailboxes and pending requests. Message ids are deterministic (the sending step's key
/// and a counter), so a message sent again by a step re-run after a crash is recognised and
/// delivered once.
/// </summary>
internal sealed class RunMessages
{
    private readonly Dictionary<string, Mailbox> _mailboxes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Mailbox> _where = new(StringComparer.Ordinal);
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TaskCompletionSource<Message>> _requests = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Message> _replies = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _order;

    public Mailbox For(string agent)
    {
        lock (_lock)
        {
            if (!_mailboxes.TryGetValue(agent, out var mailbox)) _mailboxes[agent] = mailbox = new Mailbox();
            return mailbox;
        }
    }

    /// <summary>Delivers a message to its recipient's mailbox, once per id.</summary>
    public void Deliver(Message message)
    {
        Mailbox mailbox;
        long order;
        lock (_lock)
        {
            if (!_seen.Add(message.Id)) return;
            mailbox = For(message.Recipient!);
            _where[message.Id] = mailbox;
            order = _order++;
        }

        mailbox.Put(message, order);
    }

    /// <summary>Forgets a message a committed step consumed (replaying a journal).</summary>
    public void Consumed(string messageId)
    {
        Mailbox? mailbox;
        lock (_lock)
        {
            _seen.Add(messageId);
            _where.Remove(messageId, out mailbox);
        }

        mailbox?.Remove(messageId);
    }

    /// <summary>Puts back a message a step took but did not commit, at its original place.</summary>
    public void PutBack(Message message, long order) => For(message.Recipient!).Put(message, order);

    /// <summary>Registers a request's reply slot; a reply already journaled completes it at once.</summary>
    public Task<Message> AwaitReply(string requestId)
    {
        lock (_lock)
        {
            if (_replies.Remove(requestId, out var known)) return Task.FromResult(known);
            var waiter = new TaskCompletionSource<Message>(TaskCreationOptions.RunContinuationsAsynchronously);
            _requests[requestId] = waiter;
            return waiter.Task;
        }
    }

    public void ForgetRequest(string requestId)
    {
        lock (_lock) _requests.Remove(requestId);
    }

    /// <summary>Hands a reply to the waiting requester, or keeps it for a requester that will ask again after a resume.</summary>
    public void CompleteReply(Message reply)
    {
        TaskCompletionSource<Message>? waiter;
        lock (_lock)
        {
            if (!_requests.Remove(reply.ReplyTo!, out waiter)) _replies[reply.ReplyTo!] = reply;
        }

        waiter?.TrySetResult(reply);
    }
}
