using System.Diagnostics;

namespace Baton;

/// <summary>One event on its way to one subscriber: what its queue holds and its attempts share.</summary>
/// <param name="message">The event.</param>
/// <param name="parent">The trace context it was published in, so its delivery continues that trace.</param>
internal sealed class EventDelivery(Message message, ActivityContext parent)
{
    public Message Message { get; } = message;

    public ActivityContext Parent { get; } = parent;

    /// <summary>The run a workflow subscriber started for this event; a retry resumes it.</summary>
    public string? RunId { get; set; }
}
