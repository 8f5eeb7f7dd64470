using System.Diagnostics.CodeAnalysis;

namespace Baton;

/// <summary>
/// The calls waiting for a <see cref="Resource"/>'s quotas: higher priority first, arrival order
/// among equals. A waiting call leaves when it is granted, when its caller gives up, or when it has
/// waited <see cref="ResourceOptions.MaxWait"/> (then it fails with <c>quota_wait</c>).
/// </summary>
/// <remarks>
/// The queue has no lock of its own: its resource's lock guards it, and every member named
/// <c>*_NeedsLock</c> must be called holding that lock. A waiter's timer and cancellation call the
/// resource back (<see cref="Resource.GiveUp"/>), which takes the lock.
/// </remarks>
internal sealed class ResourceWaitQueue
{
    private readonly PriorityQueue<Waiter, (int Priority, long Sequence)> _waiters = new(QueueOrder.Instance);
    private long _sequence;

    /// <summary>Calls waiting (under the lock).</summary>
    public int Count => _waiters.Count;

    /// <summary>Puts a call needing <paramref name="tokens"/> in the queue at <paramref name="priority"/>.</summary>
    public Waiter Enqueue_NeedsLock(Resource owner, int priority, int tokens, long now)
    {
        var waiter = new Waiter(owner, tokens, now);
        _waiters.Enqueue(waiter, (priority, _sequence++));
        return waiter;
    }

    /// <summary>The call at the head: the next to start.</summary>
    public bool TryPeek_NeedsLock([NotNullWhen(true)] out Waiter? waiter) => _waiters.TryPeek(out waiter, out _);

    /// <summary>Takes the call at the head out (it was granted).</summary>
    public void Dequeue_NeedsLock() => _waiters.Dequeue();

    /// <summary>Takes a call out from anywhere in the queue; false when it is no longer there.</summary>
    public bool Remove_NeedsLock(Waiter waiter) => _waiters.Remove(waiter, out _, out _);

    /// <summary>Empties the queue, returning the calls that waited.</summary>
    public Waiter[] Clear_NeedsLock()
    {
        Waiter[] waiting = [.. _waiters.UnorderedItems.Select(w => w.Element)];
        _waiters.Clear();
        return waiting;
    }

    /// <summary>
    /// Waits (without the lock) until <paramref name="waiter"/> is granted, its caller gives up, or it
    /// has waited <paramref name="maxWait"/> on <paramref name="time"/>.
    /// </summary>
    public static async ValueTask<ResourceLease> WaitAsync(Waiter waiter, TimeSpan? maxWait, TimeProvider time, CancellationToken cancellationToken)
    {
        if (maxWait is { } wait)
        {
            waiter.Timer = time.CreateTimer(static state => ((Waiter)state!).Owner.GiveUp((Waiter)state!, timedOut: true, default), waiter, wait, Timeout.InfiniteTimeSpan);
        }

        waiter.Registration = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Owner.GiveUp((Waiter)state!, timedOut: false, token), waiter);
        try
        {
            return await waiter.Task.ConfigureAwait(false);
        }
        finally
        {
            await waiter.Registration.DisposeAsync().ConfigureAwait(false);
            waiter.Timer?.Dispose();
        }
    }

    /// <summary>A call waiting in the queue; its lease comes through the task.</summary>
    internal sealed class Waiter(Resource owner, int tokens, long since) : TaskCompletionSource<ResourceLease>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public Resource Owner => owner;

        public int Tokens => tokens;

        public long Since => since;

        public ITimer? Timer { get; set; }

        public CancellationTokenRegistration Registration { get; set; }
    }

    /// <summary>Higher priority first; among equals, the one that came first.</summary>
    private sealed class QueueOrder : IComparer<(int Priority, long Sequence)>
    {
        public static QueueOrder Instance { get; } = new();

        public int Compare((int Priority, long Sequence) x, (int Priority, long Sequence) y) =>
            x.Priority != y.Priority ? y.Priority.CompareTo(x.Priority) : x.Sequence.CompareTo(y.Sequence);
    }
}
