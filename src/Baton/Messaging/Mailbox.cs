namespace Baton;

/// <summary>One agent's queue of messages in a run: highest priority first, arrival order within a priority.</summary>
internal sealed class Mailbox
{
    private readonly PriorityQueue<(Message Message, long Order), (int, long)> _queue = new();
    private readonly Queue<TaskCompletionSource<(Message, long)>> _waiters = new();
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock) return _queue.Count;
        }
    }

    /// <summary>Adds a message at its place; <paramref name="order"/> is its arrival number in the run.</summary>
    public void Put(Message message, long order)
    {
        lock (_lock)
        {
            while (_waiters.TryDequeue(out var waiter))
            {
                if (waiter.TrySetResult((message, order))) return;
            }

            _queue.Enqueue((message, order), (-message.Priority, order));
        }
    }

    public bool TryTake(out (Message Message, long Order) item)
    {
        lock (_lock) return _queue.TryDequeue(out item, out _);
    }

    public async ValueTask<(Message Message, long Order)> TakeAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<(Message, long)> waiter;
        lock (_lock)
        {
            if (_queue.TryDequeue(out var item, out _)) return item;
            waiter = new TaskCompletionSource<(Message, long)>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
        }

        using (cancellationToken.UnsafeRegister(static (state, token) => ((TaskCompletionSource<(Message, long)>)state!).TrySetCanceled(token), waiter))
        {
            return await waiter.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Removes a message (consumed by a step that committed before a resume).</summary>
    public void Remove(string messageId)
    {
        lock (_lock) _queue.Remove(default!, out _, out _, new IdComparer(messageId));
    }

    private sealed class IdComparer(string id) : IEqualityComparer<(Message Message, long Order)>
    {
        public bool Equals((Message Message, long Order) x, (Message Message, long Order) y) => x.Message?.Id == id || y.Message?.Id == id;

        public int GetHashCode((Message Message, long Order) obj) => 0;
    }
}
