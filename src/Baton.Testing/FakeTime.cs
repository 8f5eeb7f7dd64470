using Microsoft.Extensions.Time.Testing;

namespace Baton.Testing;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that knows which timers are pending, so a test can drive a
/// run through retries, timeouts and deadlines by jumping to the next timer instead of sleeping.
/// </summary>
public sealed class FakeTime : FakeTimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<TrackedTimer> _timers = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _version;

    /// <summary>Starts at 2026-01-01T00:00:00Z, a fixed moment, so runs are reproducible.</summary>
    public FakeTime()
        : base(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>Timers created so far (delays, timeouts, deadlines).</summary>
    public int TimersCreated { get; private set; }

    /// <summary>Timers that will fire if time advances far enough.</summary>
    public int PendingTimers
    {
        get
        {
            lock (_lock) return _timers.Count(t => t.NextDue(GetUtcNow()) is not null);
        }
    }

    /// <summary>When the earliest pending timer fires, or null when none is pending.</summary>
    public DateTimeOffset? NextDue
    {
        get
        {
            var now = GetUtcNow();
            lock (_lock) return _timers.Select(t => t.NextDue(now)).Where(d => d is not null).Min();
        }
    }

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var tracked = new TrackedTimer(this, base.CreateTimer(callback, state, dueTime, period));
        tracked.Arm(dueTime, period);
        lock (_lock)
        {
            _timers.Add(tracked);
            TimersCreated++;
        }

        Signal();
        return tracked;
    }

    /// <summary>Waits until at least <paramref name="count"/> timers are pending.</summary>
    public async Task WaitForPendingTimersAsync(int count = 1, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task changed;
            lock (_lock) changed = _changed.Task;
            if (PendingTimers >= count) return;
            await changed.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Drives <paramref name="task"/> to completion: whenever it is waiting on time, jumps to the
    /// next pending timer. Fails after <paramref name="maxJumps"/> jumps, so a test never hangs.
    /// </summary>
    /// <remarks>
    /// Before each jump it waits until the system is quiet (no timer created or changed and no
    /// thread-pool work queued for a few checks in a row), so work still on its way to a nearer
    /// timer is not overtaken by a jump to a later one.
    /// </remarks>
    public async Task<T> DriveAsync<T>(Task<T> task, int maxJumps = 10_000)
    {
        ArgumentNullException.ThrowIfNull(task);
        for (var jumps = 0; !task.IsCompleted; jumps++)
        {
            if (jumps > maxJumps) throw new TimeoutException($"the task did not finish after {maxJumps} jumps of fake time");
            await WaitUntilQuietAsync(task).ConfigureAwait(false);
            if (task.IsCompleted) break;
            var next = NextDue;
            if (next is null)
            {
                Task changed;
                lock (_lock) changed = _changed.Task;
                await Task.WhenAny(task, changed, Task.Delay(50)).ConfigureAwait(false);
                continue;
            }

            var step = next.Value - GetUtcNow();
            Advance(step > TimeSpan.Zero ? step : TimeSpan.Zero);
        }

        return await task.ConfigureAwait(false);
    }

    private async Task WaitUntilQuietAsync(Task task)
    {
        var quiet = 0;
        var version = Volatile.Read(ref _version);
        for (var checks = 0; quiet < 3 && checks < 200 && !task.IsCompleted; checks++)
        {
            await Task.WhenAny(task, Task.Delay(2)).ConfigureAwait(false);
            var now = Volatile.Read(ref _version);
            quiet = now == version && ThreadPool.PendingWorkItemCount == 0 ? quiet + 1 : 0;
            version = now;
        }
    }

    private void Signal()
    {
        Interlocked.Increment(ref _version);
        TaskCompletionSource changed;
        lock (_lock)
        {
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    private void Forget(TrackedTimer timer)
    {
        lock (_lock) _timers.Remove(timer);
        Signal();
    }

    private sealed class TrackedTimer(FakeTime owner, ITimer inner) : ITimer
    {
        private DateTimeOffset? _due;
        private TimeSpan _period;

        public void Arm(TimeSpan dueTime, TimeSpan period)
        {
            _due = dueTime == Timeout.InfiniteTimeSpan ? null : owner.GetUtcNow() + dueTime;
            _period = period;
        }

        public DateTimeOffset? NextDue(DateTimeOffset now)
        {
            if (_due is not { } due) return null;
            if (due > now) return due;
            if (_period <= TimeSpan.Zero || _period == Timeout.InfiniteTimeSpan) return null;
            var periods = Math.Floor((now - due) / _period) + 1;
            return due + (_period * periods);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Arm(dueTime, period);
            owner.Signal();
            return inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            inner.Dispose();
            owner.Forget(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
