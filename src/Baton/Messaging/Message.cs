namespace Baton;

/// <summary>A message between agents or an event on a topic.</summary>
public sealed record Message
{
    /// <summary>Unique id of the message.</summary>
    public string Id { get; init; } = Guid.NewGuid().ToString("N");

    /// <summary>Who sent it: an agent, a step, or an outside caller.</summary>
    public string? Sender { get; init; }

    /// <summary>The agent it is addressed to, for direct messages.</summary>
    public string? Recipient { get; init; }

    /// <summary>The topic it is published on, for events.</summary>
    public string? Topic { get; init; }

    /// <summary>What it carries.</summary>
    public Payload Payload { get; init; } = Payload.Empty;

    /// <summary>Importance; event-bus subscribers receive events in publication order whatever their priority.</summary>
    public int Priority { get; init; }

    /// <summary>For a reply, the id of the request it answers.</summary>
    public string? ReplyTo { get; init; }

    /// <summary>Ties a reply to its request, or related messages to each other.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>The run that sent it, when a run did.</summary>
    public string? RunId { get; init; }

    /// <summary>When it was sent.</summary>
    public DateTimeOffset Timestamp { get; init; }
}
