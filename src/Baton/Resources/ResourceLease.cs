using System.Threading.RateLimiting;

namespace Baton;

/// <summary>
/// One call's permits on a <see cref="Resource"/>, handed to the call by
/// <see cref="Resource.ExecuteAsync{TResult}"/>: through it the call reports the tokens it
/// really spent and a failure it returns as a value. The resource releases it when the call ends.
/// </summary>
public sealed class ResourceLease
{
    // The resource's bookkeeping, read and written under its lock.
    internal RateLimitLease? RequestPermit;
    internal RateLimitLease? TokenPermit;
    internal RateLimitLease? ConcurrencyPermit;
    internal long Due;
    internal bool InWindow;
    internal long Accounted;
    internal bool Called;
    internal ErrorKind? Failure;
    internal CancellationToken CallerToken;

    internal ResourceLease(Resource resource)
    {
        Resource = resource;
    }

    /// <summary>The resource the permits are on.</summary>
    public Resource Resource { get; }

    /// <summary>How long the call waited in the resource's queue (zero when a permit was free).</summary>
    public TimeSpan Waited { get; internal set; }

    /// <summary>Tokens the call holds in the resource's token window: its estimate, then what it reported.</summary>
    public int ReservedTokens { get; internal set; }

    /// <summary>
    /// Reports the tokens the call spent, in and out: they replace the estimate in the token
    /// window (freeing what was over-estimated, charging what was under). Tokens the window has
    /// no room for become a debt, charged before any other call starts. The last report counts.
    /// </summary>
    public void ReportUsage(long tokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tokens);
        Resource.Report(this, tokens);
    }

    /// <summary>Reports the usage of a model call: its total tokens.</summary>
    public void ReportUsage(Usage usage) => ReportUsage(usage.TotalTokens);

    /// <summary>
    /// Tells the circuit breaker the call failed although it returned (a failure as a value);
    /// an exception needs no report. It counts when the breaker counts failures of <paramref name="kind"/>.
    /// </summary>
    public void ReportFailure(ErrorKind kind) => Failure = kind;
}
