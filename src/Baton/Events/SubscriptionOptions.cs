namespace Baton;

/// <summary>Settings of one subscription; unset values come from <see cref="EventBusOptions"/>.</summary>
public sealed record SubscriptionOptions
{
    /// <summary>The subscriber's name in dead letters and traces.</summary>
    public string? Name { get; init; }

    /// <summary>Events its queue holds before publishers wait.</summary>
    public int? QueueCapacity { get; init; }

    /// <summary>How a failed delivery is tried again before it is dead-lettered.</summary>
    public RetryPolicy? Retry { get; init; }
}
