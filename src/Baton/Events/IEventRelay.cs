namespace Baton;

/// <summary>
/// Carries the events an <see cref="EventBus"/> publishes to the subscribers of other processes, such as the workers of a
/// cluster, which take them with <see cref="EventBus.AcceptAsync"/>. Set as <see cref="EventBus.Relay"/> by the host.
/// </summary>
public interface IEventRelay
{
    /// <summary>
    /// Hands <paramref name="message"/> to every other process's matching subscribers and returns once each has accepted
    /// it durably (a workflow subscriber's run stored): a step's outbox is marked published only after this returns.
    /// Throwing fails the publication, so the event is published again (with the same id) when its run resumes.
    /// </summary>
    ValueTask RelayAsync(Message message, CancellationToken cancellationToken);
}
