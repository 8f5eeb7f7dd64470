using Baton.Storage;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace Baton.Orleans;

/// <summary>
/// Chooses the worker a run grain activates on: the resources the run's workflow draws on (from the caller's request
/// context for a run being started, else from the stored run's workflow), kept to those some worker advertises as
/// capabilities, must all be advertised by the chosen worker.
/// </summary>
internal sealed class CapabilityPlacementDirector(ISiloMetadataCache metadata, IRunStore store, WorkflowCatalog catalog) : IPlacementDirector
{
    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        if (silos.Length == 0) throw new OrleansException("no worker of the cluster can run Baton runs");
        var resources = await ResourcesAsync(target).ConfigureAwait(false);
        var capabilities = silos.ToDictionary(s => s, Capabilities);
        var advertised = capabilities.Values.SelectMany(c => c).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var required = resources.Where(advertised.Contains).ToArray();
        if (required.Length == 0) return silos[Random.Shared.Next(silos.Length)];
        var able = silos.Where(s => required.All(capabilities[s].Contains)).ToArray();
        if (able.Length == 0) throw new OrleansException($"no single worker advertises all of {string.Join(", ", required)}, which run '{target.GrainIdentity.Key}' needs");
        // The caller's own worker when it qualifies (no hop), else any qualifying one.
        return able.Contains(context.LocalSilo) && context.LocalSiloStatus == SiloStatus.Active ? context.LocalSilo : able[Random.Shared.Next(able.Length)];
    }

    private HashSet<string> Capabilities(SiloAddress silo) =>
        metadata.GetSiloMetadata(silo).Metadata.TryGetValue(CapabilityPlacement.CapabilitiesKey, out var list)
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase)
            : new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    private async Task<IReadOnlyCollection<string>> ResourcesAsync(PlacementTarget target)
    {
        if (target.RequestContextData?.TryGetValue(CapabilityPlacement.ResourcesKey, out var given) == true && given is string list)
        {
            return list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        // A run activated again (its worker died, the sweep found it): its stored workflow says what it needs.
        var record = await store.GetRunAsync(target.GrainIdentity.Key.ToString()!).ConfigureAwait(false);
        return record is not null && catalog.Resolve(record) is { } workflow ? WorkflowResources.Of(workflow) : [];
    }
}
