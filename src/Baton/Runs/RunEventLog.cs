namespace Baton;

/// <summary>
/// A run's events for its watchers, in memory that does not grow with the run: the latest
/// <see cref="Window"/> events are kept for watchers that attach late, and each attached watcher
/// has its own buffer of at most <see cref="Window"/> unread events.
/// </summary>
/// <remarks>
/// A watcher that keeps up sees every event from the moment it attached (and the kept window before
/// it). A watcher that falls more than <see cref="Window"/> events behind loses the oldest of its
/// unread events, never the newest and never the run's time: the run does not wait for watchers. It
/// then reads one <see cref="RunEventsSkippedEvent"/> saying how many it missed, just where they were.
/// </remarks>
internal sealed class RunEventLog
{
    /// <summary>Events kept for late watchers, and unread events buffered per watcher, unless the runtime says otherwise.</summary>
    public const int DefaultWindow = 1000;

    private readonly Queue<RunEvent> _retained = new();
    private readonly List<Watcher> _watchers = [];
    private readonly Lock _lock = new();
    private readonly bool _enabled;
    private long _total;
    private bool _completed;

    public RunEventLog(bool enabled = true, int window = DefaultWindow)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        _enabled = enabled;
        Window = window;
    }

    /// <summary>False when nobody can watch the run (it has no handle): events are then not even built.</summary>
    public bool IsEnabled => _enabled;

    /// <summary>Events kept for late watchers; also the most unread events one watcher's buffer holds.</summary>
    public int Window { get; }

    /// <summary>Events kept now for late watchers (at most <see cref="Window"/>).</summary>
    public int RetainedCount
    {
        get
        {
            lock (_lock) return _retained.Count;
        }
    }

    /// <summary>Events the run has produced so far, kept or not.</summary>
    public long TotalCount
    {
        get
        {
            lock (_lock) return _total;
        }
    }

    /// <summary>Watchers attached now.</summary>
    public int WatcherCount
    {
        get
        {
            lock (_lock) return _watchers.Count;
        }
    }

    public void Add(RunEvent runEvent)
    {
        if (!_enabled) return;
        List<TaskCompletionSource>? wake = null;
        lock (_lock)
        {
            if (_completed) return;
            _total++;
            _retained.Enqueue(runEvent);
            if (_retained.Count > Window) _retained.Dequeue();
            foreach (var watcher in _watchers)
            {
                if (watcher.Offer_NeedsLock(runEvent, Window) is { } waiter) (wake ??= []).Add(waiter);
            }
        }

        // Woken outside the lock: a continuation must never run while the run holds it.
        foreach (var waiter in wake ?? []) waiter.TrySetResult();
    }

    public void Complete()
    {
        List<TaskCompletionSource>? wake = null;
        lock (_lock)
        {
            _completed = true;
            foreach (var watcher in _watchers)
            {
                if (watcher.TakeWaiter_NeedsLock() is { } waiter) (wake ??= []).Add(waiter);
            }
        }

        foreach (var waiter in wake ?? []) waiter.TrySetResult();
    }

    /// <summary>The events kept for late watchers, oldest first.</summary>
    public RunEvent[] Snapshot()
    {
        lock (_lock) return [.. _retained];
    }

    /// <summary>The kept events (after a skip notice when some were dropped), then new ones as they happen, until the run ends.</summary>
    public async IAsyncEnumerable<RunEvent> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var watcher = new Watcher();
        lock (_lock)
        {
            // The window and the live stream join under one lock, so nothing falls between them.
            watcher.Attach_NeedsLock(_retained, _total - _retained.Count);
            if (!_completed) _watchers.Add(watcher);
        }

        try
        {
            while (true)
            {
                RunEvent? item;
                Task? wait = null;
                lock (_lock)
                {
                    item = watcher.Take_NeedsLock();
                    if (item is null)
                    {
                        if (_completed) yield break;
                        wait = watcher.Wait_NeedsLock();
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
        finally
        {
            lock (_lock) _watchers.Remove(watcher);
        }
    }

    /// <summary>One watcher's unread events; every member is called under the log's lock.</summary>
    private sealed class Watcher
    {
        private readonly Queue<RunEvent> _unread = new();

        // Events dropped just before the head of _unread (so a skip notice is read exactly where they were).
        private long _skipped;
        private TaskCompletionSource? _waiter;

        public void Attach_NeedsLock(IEnumerable<RunEvent> retained, long skipped)
        {
            foreach (var e in retained) _unread.Enqueue(e);
            _skipped = skipped;
        }

        /// <summary>Buffers an event, dropping the oldest unread one when full; returns the reader to wake, if it waits.</summary>
        public TaskCompletionSource? Offer_NeedsLock(RunEvent runEvent, int capacity)
        {
            if (_unread.Count >= capacity)
            {
                _unread.Dequeue();
                _skipped++;
            }

            _unread.Enqueue(runEvent);
            return TakeWaiter_NeedsLock();
        }

        public TaskCompletionSource? TakeWaiter_NeedsLock()
        {
            var waiter = _waiter;
            _waiter = null;
            return waiter;
        }

        public RunEvent? Take_NeedsLock()
        {
            if (!_unread.TryPeek(out var next)) return null;
            if (_skipped > 0)
            {
                var notice = new RunEventsSkippedEvent(next.RunId, next.Timestamp, _skipped);
                _skipped = 0;
                return notice;
            }

            return _unread.Dequeue();
        }

        public Task Wait_NeedsLock()
        {
            _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _waiter.Task;
        }
    }
}
