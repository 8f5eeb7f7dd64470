namespace Baton.Orleans;

/// <summary>An event a subscriber on some worker of the cluster could not handle after all its delivery attempts.</summary>
[GenerateSerializer, Immutable]
public sealed record ClusterDeadLetter
{
    /// <summary>The worker whose subscriber failed (its lease-owner name, <c>orleans:ADDRESS:PORT@GENERATION</c>).</summary>
    [Id(0)] public required string Worker { get; init; }

    /// <summary>The event's id.</summary>
    [Id(1)] public required string MessageId { get; init; }

    /// <summary>The event's topic.</summary>
    [Id(2)] public string? Topic { get; init; }

    /// <summary>The subscription that failed.</summary>
    [Id(3)] public required string Subscriber { get; init; }

    /// <summary>What kind of failure the last attempt was (an <see cref="Baton.ErrorKind"/> name).</summary>
    [Id(4)] public required string ErrorKind { get; init; }

    /// <summary>The last failure's message.</summary>
    [Id(5)] public required string Error { get; init; }

    /// <summary>The last failure's code, when it had one.</summary>
    [Id(6)] public string? ErrorCode { get; init; }

    /// <summary>Deliveries tried.</summary>
    [Id(7)] public int Attempts { get; init; }

    /// <summary>When it was dead-lettered.</summary>
    [Id(8)] public DateTimeOffset Timestamp { get; init; }

    /// <summary>For a workflow or agent subscriber, the run the event started (in the shared store, resumable).</summary>
    [Id(9)] public string? RunId { get; init; }

    /// <summary>A worker's dead letter as the cluster keeps it.</summary>
    public static ClusterDeadLetter From(string worker, DeadLetter deadLetter)
    {
        ArgumentNullException.ThrowIfNull(deadLetter);
        return new ClusterDeadLetter
        {
            Worker = worker,
            MessageId = deadLetter.Message.Id,
            Topic = deadLetter.Message.Topic,
            Subscriber = deadLetter.Subscriber,
            ErrorKind = deadLetter.Error.Kind.ToString(),
            Error = deadLetter.Error.Message,
            ErrorCode = deadLetter.Error.Code,
            Attempts = deadLetter.Attempts,
            Timestamp = deadLetter.Timestamp,
            RunId = deadLetter.RunId,
        };
    }
}
