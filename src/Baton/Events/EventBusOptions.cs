namespace Baton;

/// <summary>Settings of the runtime's event bus.</summary>
public sealed record EventBusOptions
{
    /// <summary>Events a subscriber's queue holds before publishers wait (back-pressure); at least 1.</summary>
    public int QueueCapacity { get; init; } = 64;

    /// <summary>
    /// How a failed delivery is tried again before it goes to the dead-letter queue. Transient
    /// and recoverable failures are retried by default; fatal ones go to the dead-letter queue at once.
    /// </summary>
    public RetryPolicy DeliveryRetry { get; init; } = new() { MaxAttempts = 3, InitialDelay = TimeSpan.FromMilliseconds(100), RetryRecoverable = true };

    /// <summary>Dead letters kept; the oldest are dropped past this.</summary>
    public int DeadLetterCapacity { get; init; } = 1000;
}
