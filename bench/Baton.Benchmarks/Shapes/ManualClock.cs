namespace Baton.Benchmarks.Shapes;

/// <summary>
/// A clock the benchmark moves by hand, on its own thread: its timestamps stand still until
/// <see cref="Advance"/>, which fires the timers that came due, inline. It lets the quota suite
/// use real one-minute windows and still expire every permit it takes, at a cost measured on the
/// benchmark thread rather than on a timer thread racing it.
/// </summary>
/// <remarks>Wall-clock time (<see cref="TimeProvider.GetUtcNow"/>) is the system's; only timestamps and timers are manual.</remarks>
public sealed class ManualClock : TimeProvider
{
    private readonly List<ManualTimer> _timers = [];
    private long _now = 1;

    /// <inheritdoc/>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc/>
    public override long GetTimestamp() => _now;

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        _timers.Add(timer);
        return timer;
    }

    /// <summary>Moves time on by <paramref name="delta"/> and fires, in order, every timer that came due.</summary>
    public void Advance(TimeSpan delta)
    {
        _now += delta.Ticks;
        for (var i = 0; i < _timers.Count; i++)
        {
            var timer = _timers[i];
            if (timer.Due is { } due && due <= _now)
            {
                timer.Due = null;
                timer.Fire();
            }
        }
    }

    private sealed class ManualTimer(ManualClock clock, TimerCallback callback, object? state) : ITimer
    {
        public long? Due { get; set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Due = dueTime == Timeout.InfiniteTimeSpan ? null : clock._now + dueTime.Ticks;
            return true;
        }

        public void Dispose() => clock._timers.Remove(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
