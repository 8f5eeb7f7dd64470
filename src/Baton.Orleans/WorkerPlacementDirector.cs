using Orleans.Runtime.Placement;

namespace Baton.Orleans;

/// <summary>Places a grain keyed by a worker's lease-owner name on that worker when it is among the live ones (<see cref="WorkerPlacement"/>).</summary>
internal sealed class WorkerPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString();
        if (WorkerOwner.TryParse(key, out var worker) && context.GetCompatibleSilos(target).Contains(worker)) return Task.FromResult(worker);
        return Task.FromResult(context.LocalSilo);
    }
}
