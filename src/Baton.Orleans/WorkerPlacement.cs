namespace Baton.Orleans;

/// <summary>
/// The placement of a grain that belongs to one worker, keyed by that worker's lease-owner name: on that worker while it
/// is in the cluster; on the caller's worker once it is not (the grain then knows it is out of place).
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class WorkerPlacement : PlacementStrategy
{
    internal static readonly WorkerPlacement Instance = new();
}
