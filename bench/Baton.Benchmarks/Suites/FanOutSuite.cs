using BenchmarkDotNet.Attributes;
using Baton.Benchmarks.Shapes;

namespace Baton.Benchmarks.Suites;

/// <summary>A fan-out to no-op workers and a fan-in of all their results.</summary>
/// <remarks>Not sealed: BenchmarkDotNet's generated runner derives from it.</remarks>
public class FanOutSuite
{
    private BatonRuntime _runtime = null!;
    private Workflow _workflow = null!;
    private IAgent[] _workers = null!;
    private Microsoft.Agents.AI.Workflows.Workflow _maf = null!;
    private readonly Payload _input = Payload.FromText(Workload.Input);

    /// <summary>Workers.</summary>
    [Params(10, 100, 1000)]
    public int Width { get; set; }

    /// <summary>Builds every side once and checks one run of each.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _workers = BatonShapes.NoOps("worker", Width);
        _workflow = BatonShapes.FanOut($"fanout-{Width}", _workers, BatonShapes.Roomy);
        _runtime = BatonShapes.NewRuntime();
        _maf = MafShapes.FanOut(Width);
        Suite.Check(async () =>
        {
            await BatonShapes.RunCheckedAsync(_runtime, _workflow, _input, BatonShapes.ArrayOf(Width));
            Suite.Expect((await Raw()).Length == Width, "raw fan-out");
            await MafShapes.RunCheckedAsync(_maf, Workload.Input, MafEnvironment.Lockstep, Width);
            await MafShapes.RunCheckedAsync(_maf, Workload.Input, MafEnvironment.Default, Width);
        });
    }

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
}
/// <summary>A fan-out to no-op workers and a fan-in of all their results.</summary>
