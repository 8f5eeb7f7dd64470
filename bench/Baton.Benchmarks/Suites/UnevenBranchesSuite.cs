using BenchmarkDotNet.Attributes;
using Baton.Benchmarks.Shapes;

namespace Baton.Benchmarks.Suites;

/// <summary>
/// A chain of three 10 ms steps beside one 30 ms step: dataflow finishes in ~30 ms, lock-step
/// supersteps in ~50 ms. The mean is the makespan.
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet's generated runner derives from it.</remarks>
public class UnevenBranchesSuite
{
    private BatonRuntime _runtime = null!;
    private Workflow _workflow = null!;
    private IAgent[] _chain = null!;
    private IAgent _single = null!;
    private Microsoft.Agents.AI.Workflows.Workflow _maf = null!;
    private readonly Payload _input = Payload.FromText(Workload.Input);

    /// <summary>Builds every side once and checks one run of each.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _chain = Enumerable.Range(1, Workload.UnevenChainLength).Select(i => BatonShapes.Delayed($"short{i}", Workload.UnevenShortStep)).ToArray();
        _single = BatonShapes.Delayed("long", Workload.UnevenLongStep);
        _workflow = BatonShapes.UnevenBranches(_chain, _single);
        _runtime = BatonShapes.NewRuntime();
        _maf = MafShapes.UnevenBranches();
        Suite.Check(async () =>
        {
            await BatonShapes.RunCheckedAsync(_runtime, _workflow, _input, BatonShapes.ArrayOf(2));
            Suite.Expect((await Raw()).AsText() == Workload.Input, "raw uneven branches");
            await MafShapes.RunCheckedAsync(_maf, Workload.Input, MafEnvironment.Lockstep, 2);
            await MafShapes.RunCheckedAsync(_maf, Workload.Input, MafEnvironment.Default, 2);
        });
    }

    /// <summary>Ends the runtime.</summary>
    [GlobalCleanup]
    public void Cleanup() => _runtime.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Baton: a parallel step whose first branch is a nested three-step chain.</summary>
    [Benchmark(Baseline = true, Description = Suite.Baton)]
    public Task<RunResult> Baton() => _runtime.RunAsync(_workflow, _input);

    /// <summary>The chain and the single step awaited with Task.WhenAll.</summary>
    [Benchmark(Description = Suite.Raw)]
    public Task<Payload> Raw() => RawShapes.UnevenAsync(_chain, _single, _input);

    /// <summary>MAF, lock-step environment.</summary>
    [Benchmark(Description = Suite.MafLockstep)]
    public ValueTask<int> MafLockstep() => MafShapes.RunAsync<string, int>(_maf, Workload.Input, MafEnvironment.Lockstep);

    /// <summary>MAF, default (off-thread) environment.</summary>
    [Benchmark(Description = Suite.MafDefault)]
    public ValueTask<int> MafDefault() => MafShapes.RunAsync<string, int>(_maf, Workload.Input, MafEnvironment.Default);
}
