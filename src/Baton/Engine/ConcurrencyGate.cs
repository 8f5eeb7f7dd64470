namespace Baton;

/// <summary>
/// Bounds how many agents of a run execute at once. Entering and leaving cost one atomic
/// operation while permits are free; when none is, callers wait in arrival order (FIFO), and a
/// released permit goes straight to the longest waiter.
/// </summary>
/// <remarks>
/// <see cref="SemaphoreSlim"/> takes a lock on every wait and release, which two cores
/// finishing a thousand branches at once turn into contention on the hot path.
/// </remarks>
internal sealed class ConcurrencyGate
{
    private readonly Queue<TaskCompletionSource> _waiters = new();
    private int _free;
    private int _waiting;

    public ConcurrencyGate(int permits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(permits, 1);
        _free = permits;
    }

    /// <summary>Permits free right now.</summary>
    public int Free => Volatile.Read(ref _free);

    /// <summary>Takes a permit, waiting in line when none is free.</summary>
    public ValueTask EnterAsync(CancellationToken cancellationToken) =>
        TryEnter() ? ValueTask.CompletedTask : EnterSlowAsync(cancellationToken);

    /// <summary>Gives a permit back: to the longest waiter if there is one.</summary>
    public void Release()
    {
        if (Volatile.Read(ref _waiting) == 0)
        {
            Interlocked.Increment(ref _free);
            // A waiter may have queued after the check: take the permit back and hand it over.
            if (Volatile.Read(ref _waiting) == 0 || !TryEnter()) return;
        }

        lock (_waiters)
        {
            while (_waiters.TryDequeue(out var waiter))
            {
                Interlocked.Decrement(ref _waiting);
                if (waiter.TrySetResult()) return;
            }
        }

        // Every waiter had given up: the permit is free again.
        Interlocked.Increment(ref _free);
    }

    /// <summary>Takes a permit if one is free now, without waiting.</summary>
    public bool TryEnter()
    {
        var free = Volatile.Read(ref _free);
        while (free > 0)
        {
            var seen = Interlocked.CompareExchange(ref _free, free - 1, free);
            if (seen == free) return true;
            free = seen;
        }

        return false;
    }

    private async ValueTask EnterSlowAsync(CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            _waiters.Enqueue(waiter);
            Interlocked.Increment(ref _waiting);
        }

        // A permit released between the first try and the queueing was not handed to anyone: take it.
        if (TryEnter() && !waiter.TrySetResult()) Release();
        using (cancellationToken.UnsafeRegister(static (state, token) => ((TaskCompletionSource)state!).TrySetCanceled(token), waiter))
        {
            try
            {
                await waiter.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (waiter.Task.IsCanceled)
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }
    }
}
