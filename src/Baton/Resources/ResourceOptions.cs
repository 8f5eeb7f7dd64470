namespace Baton;

/// <summary>
/// The quotas and the circuit breaker of one named <see cref="Resource"/> (an API such as
/// <c>openai</c>). Every quota is optional; a resource with none only counts and, with a
/// <see cref="CircuitBreaker"/>, fails fast while its service is down.
/// </summary>
/// <remarks>
/// Quotas are rolling: <see cref="RequestsPerMinute"/> = 5 means no more than 5 calls start in
/// any <see cref="Window"/> (one minute) — not 5 per calendar minute, which would let 10 through
/// across a minute boundary. A call that finds a quota used up waits in the resource's priority
/// queue until it is free again, at most <see cref="MaxWait"/>.
/// </remarks>
public sealed record ResourceOptions
{
    /// <summary>Calls that may start in any <see cref="Window"/>; null for no limit.</summary>
    public int? RequestsPerMinute { get; init; }

    /// <summary>
    /// Tokens calls may spend in any <see cref="Window"/>; null for no limit. A call reserves its
    /// estimate when it starts and the usage it reports replaces the estimate.
    /// </summary>
    public int? TokensPerMinute { get; init; }

    /// <summary>Calls that may be in flight at once; null for no limit.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>
    /// The rolling window <see cref="RequestsPerMinute"/> and <see cref="TokensPerMinute"/> count
    /// over: one minute. Change it only for a service that states its limits over another span
    /// (the quotas then mean "per window").
    /// </summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a call may wait for a quota before it fails with a transient error coded
    /// <c>quota_wait</c> (which a step's retry policy may retry); null to wait until cancelled.
    /// Five minutes by default.
    /// </summary>
    public TimeSpan? MaxWait { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Tokens a call is assumed to spend when its caller gives no estimate (steps give none):
    /// reserved when the call starts, replaced by the usage the call reports. 0 by default, so a
    /// call waits only when the token window is used up.
    /// </summary>
    public int EstimatedTokensPerCall { get; init; }

    /// <summary>Fails calls fast while the service keeps failing; null for no circuit breaker.</summary>
    public CircuitBreakerOptions? CircuitBreaker { get; init; }

    internal void Validate(string name)
    {
        if (RequestsPerMinute is < 1) throw new ArgumentOutOfRangeException(nameof(RequestsPerMinute), RequestsPerMinute, $"resource '{name}': must be at least 1, or null for no limit");
        if (TokensPerMinute is < 1) throw new ArgumentOutOfRangeException(nameof(TokensPerMinute), TokensPerMinute, $"resource '{name}': must be at least 1, or null for no limit");
        if (MaxConcurrency is < 1) throw new ArgumentOutOfRangeException(nameof(MaxConcurrency), MaxConcurrency, $"resource '{name}': must be at least 1, or null for no limit");
        if (Window <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Window), Window, $"resource '{name}': must be positive");
        if (MaxWait is { } wait && wait < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(MaxWait), wait, $"resource '{name}': must not be negative");
        if (EstimatedTokensPerCall < 0) throw new ArgumentOutOfRangeException(nameof(EstimatedTokensPerCall), EstimatedTokensPerCall, $"resource '{name}': must not be negative");
        CircuitBreaker?.Validate(name);
    }
}
