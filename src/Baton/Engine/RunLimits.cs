namespace Baton;

/// <summary>
/// Bounds every run has, so a runaway loop or fan-out ends with a clear error instead of a
/// hang or an out-of-memory. The defaults are safe for interactive workflows; raise them as needed.
/// </summary>
public sealed record RunLimits
{
    /// <summary>The defaults: 1000 steps, 1 hour, 16 agents at once, 1000-wide fan-out, 4 MiB payloads.</summary>
    public static RunLimits Default { get; } = new();

    /// <summary>Step activations a run may make, replayed ones included (each loop iteration counts).</summary>
    public int MaxSteps { get; init; } = 1000;

    /// <summary>How long the run may execute, from start or resume; null for no deadline.</summary>
    public TimeSpan? Timeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Agent invocations that may run at once in the run; more wait in FIFO order.</summary>
    public int MaxParallel { get; init; } = 16;

    /// <summary>Branches or items one fan-out may start.</summary>
    public int MaxFanOut { get; init; } = 1000;

    /// <summary>Largest step output, in UTF-8 bytes; a larger one fails the step, fatally.</summary>
    public int MaxPayloadBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Tokens the run may spend, in and out; null for no budget.</summary>
    public long? MaxTokens { get; init; }

    /// <summary>Cost the run may spend; null for no budget.</summary>
    public decimal? MaxCost { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSteps, 1, nameof(MaxSteps));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxParallel, 1, nameof(MaxParallel));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFanOut, 1, nameof(MaxFanOut));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPayloadBytes, 1, nameof(MaxPayloadBytes));
        if (Timeout is { } t) CheckDuration(t, nameof(Timeout));
    }

    /// <summary>The longest time a timer can wait (uint.MaxValue - 1 milliseconds, about 49.7 days).</summary>
    internal static readonly TimeSpan MaxTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    internal static TimeSpan CheckDuration(TimeSpan duration, string name)
    {
        if (duration <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(name, duration, "must be positive");
        if (duration > MaxTimer) throw new ArgumentOutOfRangeException(name, duration, $"must be at most {MaxTimer.TotalDays:0.#} days (a timer's limit); use null for no limit");
        return duration;
    }

    /// <summary>Refuses a parallelism bound below 1 (null: no bound of the step's own).</summary>
    internal static int? CheckParallel(int? value, string name) =>
        value is { } max && max < 1 ? throw new ArgumentOutOfRangeException(name, max, "must be at least 1") : value;
}
