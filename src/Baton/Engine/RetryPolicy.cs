namespace Baton;

/// <summary>
/// How a failing step is tried again: exponential backoff with jitter, honouring a service's
/// Retry-After. Transient errors are retried; recoverable ones only when asked; fatal ones never.
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>3 attempts for transient errors, starting at 200 ms, doubling, at most 30 s, with jitter.</summary>
    public static RetryPolicy Default { get; } = new();

    /// <summary>One attempt: never retried.</summary>
    public static RetryPolicy None { get; } = new() { MaxAttempts = 1 };

    /// <summary>Attempts in all, the first included.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>Delay before the first retry.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Each retry waits this many times longer than the one before.</summary>
    public double BackoffMultiplier { get; init; } = 2;

    /// <summary>Longest delay between attempts (a longer Retry-After is still honoured).</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Randomises each delay between half and all of its value, so callers do not retry in step.</summary>
    public bool Jitter { get; init; } = true;

    /// <summary>Also retry recoverable errors (transient ones always are).</summary>
    public bool RetryRecoverable { get; init; }

    /// <summary>True when an error of <paramref name="kind"/> after <paramref name="attempt"/> attempts gets another.</summary>
    public bool ShouldRetry(ErrorKind kind, int attempt) =>
        attempt < MaxAttempts && (kind == ErrorKind.Transient || (kind == ErrorKind.Recoverable && RetryRecoverable));

    /// <summary>The delay before attempt <paramref name="attempt"/> + 1.</summary>
    /// <param name="attempt">The attempt that just failed, from 1.</param>
    /// <param name="retryAfter">What the service asked for, if anything.</param>
    /// <param name="random">Source of jitter; seeded per run so a run is reproducible.</param>
    public TimeSpan DelayFor(int attempt, TimeSpan? retryAfter, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var exponential = InitialDelay.TotalMilliseconds * Math.Pow(BackoffMultiplier, Math.Max(0, attempt - 1));
        var delay = Math.Min(exponential, MaxDelay.TotalMilliseconds);
        if (Jitter) delay *= 0.5 + (random.NextDouble() * 0.5);
        var computed = TimeSpan.FromMilliseconds(Math.Round(delay));
        var delayFor = retryAfter is { } asked && asked > computed ? asked : computed;
        // A timer cannot wait longer than ~49.7 days, nor less than nothing: a service asking for more is capped.
        return delayFor < TimeSpan.Zero ? TimeSpan.Zero : delayFor > RunLimits.MaxTimer ? RunLimits.MaxTimer : delayFor;
    }
}
