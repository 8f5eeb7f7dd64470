using BenchmarkDotNet.Attributes;
using Baton.Benchmarks.Shapes;

namespace Baton.Benchmarks.Suites;

/// <summary>A 1000-wide fan-out whose workers each wait 20 ms: the ideal is 20 ms.</summary>
/// <remarks>Not sealed: BenchmarkDotNet's generated runner derives from it.</remarks>
public class DelayedFanOutSuite
{
    private BatonRuntime _runtime = null!;
    private Workflow _workflow = null!;
    private IAgent[] _workers = null!;
    private Microsoft.Agents.AI.Workflows.Workflow _maf = null!;
    private readonly Payload _input = Payload.FromText(Workload.Input);

    /// <summary>Builds every side once and checks one run of each.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var width = Workload.DelayedFanOutWidth;
        _workers = Enumerable.Range(0, width).Select(i => BatonShapes.Delayed($"worker{i}", Workload.WorkerDelay)).ToArray();
        _workflow = BatonShapes.FanOut("fanout-delayed", _workers, BatonShapes.Wide);
        _runtime = BatonShapes.NewRuntime();
        _maf = MafShapes.FanOut(width, Workload.WorkerDelay);
        Suite.Check(async () =>
        {
            await BatonShapes.RunCheckedAsync(_runtime, _workflow, _input, BatonShapes.ArrayOf(width));
            Suite.Expect((await Raw()).Length == width, "raw delayed fan-out");
            await MafShapes.RunCheckedAsync(_maf, Workload.Input, MafEnvironment.Lockstep, width);
            await MafShapes.RunCheckedAsync(_maf, Workload.Input, MafEnvironment.Default, width);
        });
    }

    /// <summary>Ends the runtime.</summary>
    [GlobalCleanup]
    public void Cleanup() => _runtime.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Baton: a parallel step, with MaxParallel raised to 1000.</summary>
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
/// <summary>A 1000-wide fan-out whose workers each wait 20 ms: the ideal is 20 ms.</summary>
