namespace Baton.Orleans;

/// <summary>An event on its way from the worker that published it to another worker's subscriptions.</summary>
[GenerateSerializer, Immutable]
public sealed record ClusterEvent
{
    /// <summary>The message's id: the receiving worker delivers one id once.</summary>
    [Id(0)] public required string Id { get; init; }

    /// <summary>The topic it was published on.</summary>
    [Id(1)] public required string Topic { get; init; }

    /// <summary>Its payload's text, or its JSON when <see cref="PayloadIsJson"/>; null for none.</summary>
    [Id(2)] public string? Payload { get; init; }

    /// <summary>True when <see cref="Payload"/> is JSON rather than text.</summary>
    [Id(3)] public bool PayloadIsJson { get; init; }

    /// <summary>Who sent it.</summary>
    [Id(4)] public string? Sender { get; init; }

    /// <summary>The run that published it (the parent of the runs it starts).</summary>
    [Id(5)] public string? RunId { get; init; }

    /// <summary>Ties related messages together.</summary>
    [Id(6)] public string? CorrelationId { get; init; }

    /// <summary>Its priority.</summary>
    [Id(7)] public int Priority { get; init; }

    /// <summary>When it was published.</summary>
    [Id(8)] public DateTimeOffset Timestamp { get; init; }

    /// <summary>The id of the request it answers, for a reply.</summary>
    [Id(9)] public string? ReplyTo { get; init; }

    /// <summary>The message as it crosses the cluster.</summary>
    public static ClusterEvent From(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var (payload, isJson) = ClusterRunStart.FromPayload(message.Payload);
        return new ClusterEvent
        {
            Id = message.Id,
            Topic = message.Topic ?? throw new ArgumentException("an event needs a topic", nameof(message)),
            Payload = payload,
            PayloadIsJson = isJson,
            Sender = message.Sender,
            RunId = message.RunId,
            CorrelationId = message.CorrelationId,
            Priority = message.Priority,
            Timestamp = message.Timestamp,
            ReplyTo = message.ReplyTo,
        };
    }

    /// <summary>The message the receiving worker's bus delivers.</summary>
    public Message ToMessage() => new()
    {
        Id = Id,
        Topic = Topic,
        Payload = Payload is null ? Baton.Payload.Empty : PayloadIsJson ? Baton.Payload.ParseJson(Payload) : Baton.Payload.FromText(Payload),
        Sender = Sender,
        RunId = RunId,
        CorrelationId = CorrelationId,
        Priority = Priority,
        Timestamp = Timestamp,
        ReplyTo = ReplyTo,
    };
}
