using System.Globalization;
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
    /// Waits until the code under test has armed a timer due within <paramref name="within"/> from now — proof that it
    /// is waiting on time — then moves the clock to when the earliest pending timer fires, firing it. Returns how far
    /// the clock moved. Fails with a <see cref="TimeoutException"/> if no such timer is armed within
    /// <paramref name="guard"/> of real time (one minute by default), so a broken test fails instead of hanging.
    /// </summary>
    /// <remarks>
    /// It never guesses that the code is idle: a timer due later than <paramref name="within"/> (a run's deadline, a
    /// lease) is never a reason to move, so a test reads as the timeline it expects.
    /// </remarks>
    public async Task<TimeSpan> AdvanceToTimerAsync(TimeSpan within, TimeSpan? guard = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(within, TimeSpan.Zero);
        await WaitUntilAsync(() => NextDue is { } due && due - GetUtcNow() <= within, $"timer due within {within}", guard, cancellationToken).ConfigureAwait(false);
        var step = NextDue!.Value - GetUtcNow();
        if (step < TimeSpan.Zero) step = TimeSpan.Zero;
        Advance(step);
        return step;
    }

    /// <summary>
    /// Waits until the code under test has armed a timer due exactly <paramref name="dueIn"/> from now, whatever other
    /// timers are pending; fails with a <see cref="TimeoutException"/> after <paramref name="guard"/> (one minute by default).
    /// </summary>
    public Task WaitForTimerAsync(TimeSpan dueIn, TimeSpan? guard = null, CancellationToken cancellationToken = default)
    {
        return WaitUntilAsync(
            () =>
            {
                var at = GetUtcNow() + dueIn;
                lock (_lock) return _timers.Any(t => t.NextDue(GetUtcNow()) == at);
            },
            $"timer due in {dueIn}",
            guard,
            cancellationToken);
    }

    /// <summary>Waits for <paramref name="condition"/>, checked each time a timer is created, changed or disposed.</summary>
    private async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? guard, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(guard ?? TimeSpan.FromMinutes(1));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        while (true)
        {
            Task changed;
            lock (_lock) changed = _changed.Task;
            if (condition()) return;
            try
            {
                await changed.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"no {what} was armed; {PendingTimers} pending, the next due {NextDue?.ToString("O", CultureInfo.InvariantCulture) ?? "never"} (now {GetUtcNow().ToString("O", CultureInfo.InvariantCulture)})");
            }
        }
    }

    private void Signal()
    {
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
