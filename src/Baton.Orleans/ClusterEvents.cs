namespace Baton.Orleans;

/// <summary>The cluster's view of its event buses: the dead letters of every worker's subscribers, from any silo or client.</summary>
/// <param name="grains">The cluster's grain factory (an <c>IClusterClient</c>, or a silo's <c>IGrainFactory</c>).</param>
public sealed class ClusterEvents(IGrainFactory grains)
{
    /// <summary>Every worker's dead letters, oldest first (the most recent 10,000; kept in memory by one grain).</summary>
    public async Task<IReadOnlyList<ClusterDeadLetter>> DeadLettersAsync(CancellationToken cancellationToken = default) =>
        await GrainCallRetry.RunAsync(() => grains.GetGrain<IDeadLetterGrain>(0).ListAsync(), TimeSpan.FromSeconds(60), TimeProvider.System, cancellationToken).ConfigureAwait(false);
}
