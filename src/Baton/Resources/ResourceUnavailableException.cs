namespace Baton;

/// <summary>
/// A <see cref="Resource"/> turned a call away: it waited longer than the resource's maximum
/// wait for a quota (<see cref="QuotaWait"/>), or the resource's circuit is open
/// (<see cref="CircuitOpen"/>, with <see cref="AgentException.RetryAfter"/> the cool-down left).
/// Always transient: the call may pass later, and a step's retry policy retries it.
/// </summary>
public sealed class ResourceUnavailableException : AgentException
{
    /// <summary>The code of a call that waited too long for a quota.</summary>
    public const string QuotaWait = "quota_wait";

    /// <summary>The code of a call refused because the resource's circuit is open.</summary>
    public const string CircuitOpen = "circuit_open";

    /// <summary>Creates the exception.</summary>
    /// <param name="resource">The resource's name.</param>
    /// <param name="code"><see cref="QuotaWait"/> or <see cref="CircuitOpen"/>.</param>
    /// <param name="message">What happened, naming the resource.</param>
    /// <param name="retryAfter">When the call may pass, when known.</param>
    /// <param name="waited">How long the call waited before it was turned away.</param>
    public ResourceUnavailableException(string resource, string code, string message, TimeSpan? retryAfter = null, TimeSpan waited = default)
        : base(ErrorKind.Transient, message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(resource);
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        Resource = resource;
        Code = code;
        RetryAfter = retryAfter;
        Waited = waited;
    }

    /// <summary>The resource that turned the call away.</summary>
    public string Resource { get; }

    /// <summary>How long the call waited in the resource's queue before it was turned away.</summary>
    public TimeSpan Waited { get; }
}
