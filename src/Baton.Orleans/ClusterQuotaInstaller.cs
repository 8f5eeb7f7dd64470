using Orleans.Runtime;

namespace Baton.Orleans;

/// <summary>Makes the worker's resources draw on their cluster-wide quotas (<see cref="ClusterQuota"/>) before the silo takes runs.</summary>
internal sealed class ClusterQuotaInstaller(BatonRuntime runtime, IGrainFactory grains, BatonClusterOptions options) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ClusterQuotaInstaller), ServiceLifecycleStage.ApplicationServices, _ =>
        {
            runtime.Resources.SharedQuota = new ClusterQuota(grains, runtime.Owner, options.WaitSlice);
            return Task.CompletedTask;
        });
}
