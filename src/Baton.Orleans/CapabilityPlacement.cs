namespace Baton.Orleans;

/// <summary>
/// The placement of run grains: among the workers able to host them, those advertising every capability the run needs
/// (a resource its steps draw on that some worker advertises, see <see cref="BatonClusterOptions.Capabilities"/>); any
/// of them at random.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class CapabilityPlacement : PlacementStrategy
{
    internal static readonly CapabilityPlacement Instance = new();

    /// <summary>The request-context key a caller sets, before a run exists, to the comma-separated resources its workflow draws on.</summary>
    public const string ResourcesKey = "baton.resources";

    /// <summary>The silo metadata key under which a worker advertises its capabilities, comma-separated.</summary>
    public const string CapabilitiesKey = "baton.capabilities";
}
