using Baton;
using Baton.Orleans;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Makes an Orleans silo a Baton worker.</summary>
public static class BatonOrleansServiceCollectionExtensions
{
    /// <summary>
    /// Makes the Orleans silo of this host a Baton worker: runs handed to the cluster (<see cref="BatonCluster"/>) execute
    /// in run grains on the container's <see cref="BatonRuntime"/> (from <c>AddBaton</c>, which this follows), journaling to
    /// its <c>IRunStore</c> — which must be shared by every worker (PostgreSQL) — under leases held as this silo. The silo
    /// advertises <see cref="BatonClusterOptions.Capabilities"/>, its membership notices a dead worker within seconds
    /// (<see cref="BatonClusterOptions.ProbeTimeout"/> and the others set Orleans' <see cref="ClusterMembershipOptions"/>),
    /// and it continues the runs of dead workers. Clustering (Redis, for example) is the host's own Orleans setting.
    /// </summary>
    /// <remarks>Registers the silo with <c>AddOrleans</c>, which joins the silo the host already configures, if any.</remarks>
    public static IServiceCollection UseOrleans(this IServiceCollection services, Action<BatonClusterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new BatonClusterOptions();
        configure?.Invoke(options);
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton<IConfigureOptions<BatonOptions>>(sp => new ConfigureOptions<BatonOptions>(baton =>
        {
            // Leases are held as this silo, so the cluster can tell when their holder is dead.
            baton.Owner = WorkerOwner.For(sp.GetRequiredService<ILocalSiloDetails>().SiloAddress);
            baton.LeaseDuration = options.LeaseDuration;
        }));
        services.AddSingleton<WorkflowCatalog>();
        services.AddSingleton<RunSweeper>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<RunSweeper>());
        if (options.ClusterWideQuotas) services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, ClusterQuotaInstaller>();
        services.AddSingleton(sp => new BatonCluster(sp.GetRequiredService<IGrainFactory>()));
        services.AddSingleton(sp => new ClusterEvents(sp.GetRequiredService<IGrainFactory>()));
        services.AddSingleton<ReceivedEvents>();
        if (options.ClusterWideEvents) services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, ClusterEventsInstaller>();

        services.Configure<ClusterMembershipOptions>(membership =>
        {
            membership.ProbeTimeout = options.ProbeTimeout;
            membership.NumMissedProbesLimit = options.NumMissedProbesLimit;
            membership.NumVotesForDeathDeclaration = options.NumVotesForDeathDeclaration;
        });
        services.AddOrleans(silo =>
        {
            silo.UseSiloMetadata(new Dictionary<string, string> { [CapabilityPlacement.CapabilitiesKey] = string.Join(',', options.Capabilities) });
            silo.Services.AddPlacementDirector<CapabilityPlacement>(sp => new CapabilityPlacementDirector(
                sp.GetRequiredService<ISiloMetadataCache>(), sp.GetRequiredService<Baton.Storage.IRunStore>(), sp.GetRequiredService<WorkflowCatalog>()));
            silo.Services.AddPlacementDirector<WorkerPlacement, WorkerPlacementDirector>();
        });
        return services;
    }
}
