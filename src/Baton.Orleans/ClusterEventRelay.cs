using Orleans.Runtime;

namespace Baton.Orleans;

/// <summary>
/// Carries what this worker's event bus publishes to every other live worker's inbox (<see cref="IEventInboxGrain"/>),
/// which matches it against that worker's own subscriptions. A call to a worker that does not answer is retried until
/// it does or the cluster declares it dead (its inbox then answers from elsewhere that nobody there subscribes).
/// </summary>
internal sealed class ClusterEventRelay(IGrainFactory grains, IClusterMembershipService membership, ILocalSiloDetails local, BatonClusterOptions options) : IEventRelay
{
    public async ValueTask RelayAsync(Message message, CancellationToken cancellationToken)
    {
        var others = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(local.SiloAddress))
            .Select(m => m.SiloAddress)
            .ToArray();
        if (others.Length == 0) return;
        var sent = ClusterEvent.From(message);
        await Task.WhenAll(others.Select(worker =>
        {
            var inbox = grains.GetGrain<IEventInboxGrain>(WorkerOwner.For(worker));
            return GrainCallRetry.RunAsync(() => inbox.AcceptAsync(sent), options.EventRelayTimeout, TimeProvider.System, cancellationToken);
        })).ConfigureAwait(false);
    }
}
