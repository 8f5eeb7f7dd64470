namespace Baton.Server.Events;

/// <summary>
/// One run's events as the event stream serves them, numbered 1, 2, 3... across all of the run's executions in this
/// server (it started, waited for a person, was answered and went on): a client that reconnects with the last id it
/// read (<c>Last-Event-ID</c>) gets exactly the events after it. At most <see cref="Capacity"/> events are kept; a
/// client asking for older ones is told how many it missed.
/// </summary>
internal sealed class RunEventArchive
{
    /// <summary>Events kept per run; the oldest go first.</summary>
    public const int Capacity = 10_000;

    private readonly Lock _lock = new();
    private readonly Queue<string> _events = new();
    private long _firstId = 1;
    private bool _ended;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The id of the newest event (0 when there is none).</summary>
    public long LastId
    {
        get
        {
            lock (_lock) return _firstId + _events.Count - 1;
        }
    }

    /// <summary>True once the run has ended: no event follows.</summary>
    public bool HasEnded
    {
        get
        {
            lock (_lock) return _ended;
        }
    }

    /// <summary>True when no event was added yet.</summary>
    public bool IsEmpty
    {
        get
        {
            lock (_lock) return _events.Count == 0 && _firstId == 1;
        }
    }

    /// <summary>Adds an event (its JSON, one line).</summary>
    public void Add(string data)
    {
        TaskCompletionSource wake;
        lock (_lock)
        {
            if (_ended) return;
            _events.Enqueue(data);
            if (_events.Count > Capacity)
            {
                _events.Dequeue();
                _firstId++;
            }

            wake = Swap_NeedsLock();
        }

        wake.TrySetResult();
    }

    /// <summary>Says the run has ended: readers finish once they have read everything.</summary>
    public void End()
    {
        TaskCompletionSource wake;
        lock (_lock)
        {
            _ended = true;
            wake = Swap_NeedsLock();
        }

        wake.TrySetResult();
    }

    /// <summary>The run goes on after all (resumed, forked from): its events follow the ones it had.</summary>
    public void Reopen()
    {
        lock (_lock) _ended = false;
    }

    private TaskCompletionSource Swap_NeedsLock()
    {
        var wake = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return wake;
    }

    /// <summary>
    /// The events after <paramref name="afterId"/>, then new ones as they come, until the run ends; an id of -1 with the
    /// count of events no longer kept comes first when the reader asks for some of those. An id of 0 (no data) comes
    /// after every <paramref name="heartbeat"/> without an event (none when it is zero or infinite), so a reader can
    /// keep its connection alive while the run waits.
    /// </summary>
    public async IAsyncEnumerable<(long Id, string Data)> ReadAsync(long afterId, TimeSpan heartbeat, TimeProvider time, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var beats = heartbeat > TimeSpan.Zero && heartbeat != Timeout.InfiniteTimeSpan;
        while (true)
        {
            List<(long, string)> batch = [];
            Task changed;
            lock (_lock)
            {
                if (afterId < _firstId - 1)
                {
                    batch.Add((-1, (_firstId - 1 - afterId).ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    afterId = _firstId - 1;
                }

                var id = _firstId;
                foreach (var data in _events)
                {
                    if (id > afterId) batch.Add((id, data));
                    id++;
                }

                if (batch.Count == 0 && _ended) yield break;
                changed = _changed.Task;
            }

            foreach (var item in batch)
            {
                if (item.Item1 > 0) afterId = item.Item1;
                yield return item;
            }

            if (batch.Count > 0) continue;
            if (!beats)
            {
                await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            using var beat = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(heartbeat, time, beat.Token);
            var first = await Task.WhenAny(changed, delay).ConfigureAwait(false);
            // The timer goes when an event came first: a busy run must not leave one behind per event.
            await beat.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (first == delay) yield return (0, "");
        }
    }
}
