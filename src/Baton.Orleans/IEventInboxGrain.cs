namespace Baton.Orleans;

/// <summary>
/// One worker's door for the events other workers publish, keyed by the worker's lease-owner name and placed on that
/// worker (<see cref="WorkerPlacement"/>): it hands each event to the worker's own event bus.
/// </summary>
public interface IEventInboxGrain : IGrainWithStringKey
{
    /// <summary>
    /// Delivers <paramref name="message"/> to this worker's matching subscriptions (a workflow subscriber's run stored
    /// first) once per message id; returns when they have it. False when the worker is gone (or keeps its events to itself), so nobody there subscribes.
    /// </summary>
    Task<bool> AcceptAsync(ClusterEvent message);
}
