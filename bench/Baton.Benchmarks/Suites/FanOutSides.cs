using BenchmarkDotNet.Attributes;
using Baton.Benchmarks.Shapes;

namespace Baton.Benchmarks.Suites;

/// <summary>The four sides every fan-out suite measures, over the workers a suite builds.</summary>
public abstract class FanOutSides
{
    private BatonRuntime _runtime = null!;
    private Workflow _workflow = null!;
    private IAgent[] _workers = null!;
    private Microsoft.Agents.AI.Workflows.Workflow _maf = null!;
    private readonly Payload _input = Payload.FromText(Workload.Input);

    /// <summary>Ends the runtime.</summary>
    [GlobalCleanup]
    public void Cleanup() => _runtime.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Baton: a parallel step with the default list merge.</summary>
    [Benchmark(Baseline = true, Description = Suite.Baton)]
    public Task<RunResult> Baton() => _runtime.RunAsync(_workflow, _input);

    /// <summary>The same workers started at once and joined with Task.WhenAll.</summary>
    [Benchmark(Description = Suite.Raw)]
    public Task<AgentResult[]> Raw() => RawShapes.FanOutAsync(_workers, _input);

    /// <summary>MAF, lock-step environment.</summary>
    [Benchmark(Description = Suite.MafLockstep)]
    public ValueTask<int> MafLockstep() => MafShapes.RunAsync<string, int>(_maf, Workload.Input, MafEnvironment.Lockstep);

    /// <summary>MAF, default (off-thread) environment.</summary>
    [Benchmark(Description = Suite.MafDefault)]
    public ValueTask<int> MafDefault() => MafShapes.RunAsync<string, int>(_maf, Workload.Input, MafEnvironment.Default);

    /// <summary>Builds every side once over <paramref name="workers"/> and checks one run of each.</summary>
    protected void Build(string name, IAgent[] workers, RunLimits limits, Microsoft.Agents.AI.Workflows.Workflow maf)
    {
        _workers = workers;
        _workflow = BatonShapes.FanOut(name, workers, limits);
        _runtime = BatonShapes.NewRuntime();
        _maf = maf;
        Suite.Check(async () =>
        {
            await BatonShapes.RunCheckedAsync(_runtime, _workflow, _input, BatonShapes.ArrayOf(workers.Length));
            Suite.Expect((await Raw()).Length == workers.Length, $"raw {name}");
            await MafShapes.RunCheckedAsync(_maf, Workload.Input, MafEnvironment.Lockstep, workers.Length);
            await MafShapes.RunCheckedAsync(_maf, Workload.Input, MafEnvironment.Default, workers.Length);
        });
    }
}
