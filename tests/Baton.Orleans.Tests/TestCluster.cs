using Baton.Orleans;
using Baton.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace Baton.Orleans.Tests;

/// <summary>
/// An in-process Orleans cluster of Baton workers sharing one store (as the workers of a real cluster share PostgreSQL),
/// with the workflows of a test registered on every worker.
/// </summary>
internal sealed class TestCluster : IAsyncDisposable
{
    private TestCluster(InProcessTestCluster cluster, IRunStore store)
    {
        Cluster = cluster;
        Store = store;
        Baton = new BatonCluster(cluster.Client) { RetryFor = TimeSpan.FromSeconds(60) };
    }

    public InProcessTestCluster Cluster { get; }

    public IRunStore Store { get; }

    public BatonCluster Baton { get; }

    /// <summary>The names of the silos that advertise "gpu".</summary>
    public IReadOnlyList<string> GpuSilos { get; private init; } = [];

    /// <summary>
    /// Starts <paramref name="silos"/> workers; the first <paramref name="gpuWorkers"/> advertise "gpu" and have a "gpu"
    /// resource; every worker has <paramref name="resources"/>.
    /// </summary>
    public static async Task<TestCluster> StartAsync(IEnumerable<Workflow> workflows, int silos = 2, int gpuWorkers = 0, TimeSpan? sweepInterval = null, IReadOnlyDictionary<string, ResourceOptions>? resources = null)
    {
        var store = new InMemoryRunStore(TimeProvider.System);
        var registered = workflows.ToArray();
        var gpuSilos = new List<string>();
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.ConfigureSiloHost((silo, host) =>
        {
            // The test cluster names its silos Primary, Secondary_1, Secondary_2...
            var index = silo.SiloName.Contains('_', StringComparison.Ordinal) ? int.Parse(silo.SiloName.Split('_')[^1], System.Globalization.CultureInfo.InvariantCulture) : 0;
            var gpu = index < gpuWorkers;
            if (gpu) lock (gpuSilos) gpuSilos.Add(silo.SiloName);
            host.Services.AddSingleton<IRunStore>(store);
            host.Services.AddBaton(o =>
            {
                foreach (var workflow in registered) o.Workflows.Add(workflow);
            }).UseOrleans(o =>
            {
                if (gpu) o.Capabilities.Add("gpu");
                o.SweepInterval = sweepInterval ?? TimeSpan.FromSeconds(5);
                o.LeaseDuration = TimeSpan.FromSeconds(3);
            });
            // As with a durable store (PostgreSQL): an asking step suspends its run at once instead of waiting in memory.
            host.Services.Configure<BatonOptions>(o => o.HumanWaitInMemory = TimeSpan.Zero);
            if (gpu) host.Services.Configure<BatonOptions>(o => o.Resources = new Dictionary<string, ResourceOptions> { ["gpu"] = new() });
            if (resources is not null) host.Services.Configure<BatonOptions>(o => o.Resources = new Dictionary<string, ResourceOptions>((o.Resources ?? new Dictionary<string, ResourceOptions>()).Concat(resources)));
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new TestCluster(cluster, store) { GpuSilos = gpuSilos };
    }

    /// <summary>The runtime of the <paramref name="index"/>th worker.</summary>
    public BatonRuntime RuntimeOf(int index) => Cluster.GetSiloServiceProvider(Cluster.Silos[index].SiloAddress).GetRequiredService<BatonRuntime>();

    /// <summary>The silo whose lease owner name is <paramref name="owner"/>.</summary>
    public InProcessSiloHandle SiloOf(string? owner) =>
        Cluster.Silos.Single(s => "orleans:" + s.SiloAddress.ToParsableString() == owner);

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
    }
}
