using Orleans.Placement;

namespace Baton.Orleans;

/// <summary>Places a grain keyed by a worker's lease-owner name on that worker (<see cref="WorkerPlacement"/>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class WorkerPlacementAttribute() : PlacementAttribute(WorkerPlacement.Instance);
