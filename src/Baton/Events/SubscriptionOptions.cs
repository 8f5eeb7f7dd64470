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

    /// <summary>
    /// Decides, for each event whose topic matches, whether this subscriber takes it (for example only the events of
    /// runs of one workflow file); null takes every matching event. Asked while the event is published, before it is
    /// queued: an exception fails the publication, as a store failure does.
    /// </summary>
    public Func<Message, CancellationToken, ValueTask<bool>>? Accepts { get; init; }
}
