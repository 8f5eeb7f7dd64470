namespace Baton;

/// <summary>A run's events, kept in order so every watcher sees the whole stream from the start.</summary>
internal sealed class RunEventLog(bool enabled = true)
{
    private readonly List<RunEvent> _events = [];
    private readonly Lock _lock = new();
    private TaskCompletionSource? _waiter;
    private bool _completed;

    /// <summary>False when nobody can watch the run (it has no handle): events are then not even built.</summary>
    public bool IsEnabled => enabled;

    public void Add(RunEvent runEvent)
    {
        if (!enabled) return;
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            if (_completed) return;
            _events.Add(runEvent);
            waiter = _waiter;
            _waiter = null;
        }

        waiter?.TrySetResult();
    }

    public void Complete()
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            _completed = true;
            waiter = _waiter;
            _waiter = null;
        }

        waiter?.TrySetResult();
    }

    public RunEvent[] Snapshot()
    {
        lock (_lock) return [.. _events];
    }

    public async IAsyncEnumerable<RunEvent> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var next = 0;
        while (true)
        {
            RunEvent? item = null;
            Task? wait = null;
            lock (_lock)
            {
                if (next < _events.Count)
                {
                    item = _events[next++];
                }
                else if (_completed)
                {
                    yield break;
                }
                else
                {
                    _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    wait = _waiter.Task;
                }
            }

            if (item is not null)
            {
                yield return item;
            }
            else
            {
                await wait!.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
