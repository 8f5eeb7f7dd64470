using Orleans.Placement;

namespace Baton.Orleans;

/// <summary>Places a run grain on a worker that advertises every capability its run needs (<see cref="CapabilityPlacement"/>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class CapabilityPlacementAttribute() : PlacementAttribute(CapabilityPlacement.Instance);
