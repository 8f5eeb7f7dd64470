using Orleans.Concurrency;
using Orleans.Runtime;

namespace Baton.Orleans;

/// <summary>
/// Hands the events other workers publish to this worker's event bus. Reentrant: a delivery waiting on a full queue
/// (back-pressure) must not hold up other publishers' events; duplicates are kept out by <see cref="ReceivedEvents"/>.
/// </summary>
[Reentrant]
[WorkerPlacement]
internal sealed class EventInboxGrain(BatonRuntime runtime, ReceivedEvents received, ILocalSiloDetails local, BatonClusterOptions options) : Grain, IEventInboxGrain
{
    public async Task<bool> AcceptAsync(ClusterEvent message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (this.GetPrimaryKeyString() != WorkerOwner.For(local.SiloAddress))
        {
            // Activated away from its worker: the placement does that only when that worker is no longer in the cluster.
            DeactivateOnIdle();
            return false;
        }

        // A worker that keeps its events to itself takes none from the others either.
        if (!options.ClusterWideEvents) return false;

        // A second delivery of the same event (the publisher's run resumed and published its outbox again, or a call
        // retried after its reply was lost) is accepted without being delivered again.
        await received.AcceptOnceAsync(message.Id, () => runtime.Events.AcceptAsync(message.ToMessage()).AsTask()).ConfigureAwait(true);
        return true;
    }
}
