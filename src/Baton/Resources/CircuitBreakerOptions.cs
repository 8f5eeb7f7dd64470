namespace Baton;

/// <summary>
/// When a resource's circuit opens and for how long: after <see cref="FailureThreshold"/>
/// failed calls, calls fail fast (a transient error coded <c>circuit_open</c>, whose Retry-After
/// is the cool-down left) for <see cref="BreakDuration"/>; then one trial call is let through,
/// which closes the circuit if it succeeds and opens it again if it fails. Runs on Polly's
/// circuit breaker, driven by the runtime's clock.
/// </summary>
public sealed record CircuitBreakerOptions
{
    /// <summary>
    /// Calls that must have finished within <see cref="SamplingDuration"/> before the circuit may
    /// open (Polly's minimum throughput); at least 2. With the default <see cref="FailureRatio"/>
    /// of 1, this many failures with no success among them open it.
    /// </summary>
    public int FailureThreshold { get; init; } = 5;

    /// <summary>The share of the sampled calls that must have failed, from just above 0 to 1 (all of them).</summary>
    public double FailureRatio { get; init; } = 1.0;

    /// <summary>How far back calls are counted; at least half a second.</summary>
    public TimeSpan SamplingDuration { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long the circuit stays open before a trial call; at least half a second.</summary>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Which failures count: transient ones by default (a dead or overloaded service), not a caller's bad request.</summary>
    public IReadOnlyList<ErrorKind> FailureKinds { get; init; } = [ErrorKind.Transient];

    internal void Validate(string name)
    {
        if (FailureThreshold < 2) throw new ArgumentOutOfRangeException(nameof(FailureThreshold), FailureThreshold, $"resource '{name}': the circuit breaker needs at least 2 calls to judge");
        if (!(FailureRatio > 0 && FailureRatio <= 1)) throw new ArgumentOutOfRangeException(nameof(FailureRatio), FailureRatio, $"resource '{name}': must be above 0 and at most 1");
        if (SamplingDuration < TimeSpan.FromMilliseconds(500)) throw new ArgumentOutOfRangeException(nameof(SamplingDuration), SamplingDuration, $"resource '{name}': must be at least 500 ms");
        if (BreakDuration < TimeSpan.FromMilliseconds(500)) throw new ArgumentOutOfRangeException(nameof(BreakDuration), BreakDuration, $"resource '{name}': must be at least 500 ms");
        ArgumentNullException.ThrowIfNull(FailureKinds);
        if (FailureKinds.Count == 0) throw new ArgumentException($"resource '{name}': a circuit breaker that counts no failure never opens; list at least one kind", nameof(FailureKinds));
    }
}
