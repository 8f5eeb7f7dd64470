using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Baton.Orleans;
using Baton.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Baton.Benchmarks.Suites;

/// <summary>
/// A 3-step workflow handed to a cluster of 1 or 2 workers (Orleans silos in this process, sharing one in-memory store),
/// against the same workflow run locally: runs per second, and what the cluster adds per step. Each operation is a batch
/// of <see cref="Batch"/> concurrent runs.
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet's generated runner derives from it.</remarks>
public class ClusterSuite
{
    private const int Batch = 20;
    private readonly List<IHost> _workers = [];
    private BatonRuntime _local = null!;
    private BatonCluster _cluster = null!;
    private Workflow _workflow = null!;
    private readonly Payload _input = Payload.FromText("x");

    /// <summary>Workers in the cluster.</summary>
    [Params(1, 2)]
    public int Workers { get; set; }

    /// <summary>Starts the workers and the local runtime; checks one run of each side.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _workflow = SequentialBuilder.Create("three-steps",
            Agent.Create("a", input => input), Agent.Create("b", input => input), Agent.Create("c", input => input));
        _local = new BatonRuntime();
        var store = new InMemoryRunStore();
        var primary = new IPEndPoint(IPAddress.Loopback, FreePort());
        for (var i = 0; i < Workers; i++) _workers.Add(StartWorker(store, _workflow, primary, i == 0 ? primary.Port : FreePort()));
        _cluster = _workers[0].Services.GetRequiredService<BatonCluster>();
        Suite.Check(async () =>
        {
            Suite.Expect((await _local.RunAsync(_workflow, _input)).IsSuccess, "local run");
            Suite.Expect((await _cluster.RunAsync(_workflow, _input)).Status == RunStatus.Succeeded, "cluster run");
        });
    }

    /// <summary>Stops the workers and the runtime.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var worker in _workers) worker.StopAsync().GetAwaiter().GetResult();
        foreach (var worker in _workers) worker.Dispose();
        _local.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The same runs on one local runtime.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Batch, Description = "Baton, local")]
    public Task Local() => Task.WhenAll(Enumerable.Range(0, Batch).Select(_ => _local.RunAsync(_workflow, _input)));

    /// <summary>The runs handed to the cluster and waited for.</summary>
    [Benchmark(OperationsPerInvoke = Batch, Description = "Baton, cluster")]
    public Task Cluster() => Task.WhenAll(Enumerable.Range(0, Batch).Select(_ => _cluster.RunAsync(_workflow, _input)));

    private static IHost StartWorker(IRunStore store, Workflow workflow, IPEndPoint primary, int siloPort)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.SetMinimumLevel(LogLevel.None);
        builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort, FreePort(), primary));
        builder.Services.AddSingleton(store);
        builder.Services.AddBaton(o => o.Workflows.Add(workflow)).UseOrleans();
        var host = builder.Build();
        host.StartAsync().GetAwaiter().GetResult();
        return host;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
