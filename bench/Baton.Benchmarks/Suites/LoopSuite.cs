using BenchmarkDotNet.Attributes;
using Baton.Benchmarks.Shapes;

namespace Baton.Benchmarks.Suites;

/// <summary>A two-state loop run for 1000 iterations (2000 steps).</summary>
/// <remarks>Not sealed: BenchmarkDotNet's generated runner derives from it.</remarks>
public class LoopSuite
{
    private BatonRuntime _runtime = null!;
    private BatonRuntime _forgetful = null!;
    private Workflow _workflow = null!;
    private IAgent _count = null!;
    private IAgent _check = null!;
    private Microsoft.Agents.AI.Workflows.Workflow _maf = null!;
    private readonly Payload _input = Payload.From(0);

    /// <summary>Builds every side once and checks one run of each.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var iterations = Workload.LoopIterations;
        _count = BatonShapes.Increment();
        _check = BatonShapes.NoOp("check");
        _workflow = BatonShapes.Loop(_count, _check, iterations);
        _runtime = BatonShapes.NewRuntime();
        _forgetful = new BatonRuntime(new BatonOptions { Store = new ForgetfulStore() });
        _maf = MafShapes.Loop(iterations);
        Suite.Check(async () =>
        {
            var result = await BatonShapes.RunCheckedAsync(_runtime, _workflow, _input, o => o.Get<int>() == iterations);
            Suite.Expect(result.StepCount == 2 * iterations, $"Baton loop: {result.StepCount} steps");
            Suite.Expect((await Raw()).Get<int>() == iterations, "raw loop");
            await MafShapes.RunCheckedAsync(_maf, 0, MafEnvironment.Lockstep, iterations);
            await MafShapes.RunCheckedAsync(_maf, 0, MafEnvironment.Default, iterations);
        });
    }

    /// <summary>Ends the runtime.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _runtime.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _forgetful.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Baton: a state machine with a conditional transition back.</summary>
    [Benchmark(Baseline = true, Description = Suite.Baton)]
    public Task<RunResult> Baton() => _runtime.RunAsync(_workflow, _input);

    /// <summary>
    /// Diagnostic: Baton on a store that keeps nothing. A loop's long journal, kept in the process heap for the last
    /// finished runs, makes most of the loop's time the GC's; this row shows the engine without it.
    /// </summary>
    [Benchmark(Description = Suite.BatonNoStore)]
    public Task<RunResult> BatonNoStore() => _forgetful.RunAsync(_workflow, _input);

    /// <summary>The same two agents awaited in a while loop.</summary>
    [Benchmark(Description = Suite.Raw)]
    public Task<Payload> Raw() => RawShapes.LoopAsync(_count, _check, Workload.LoopIterations);

    /// <summary>MAF, lock-step environment.</summary>
    [Benchmark(Description = Suite.MafLockstep)]
    public ValueTask<int> MafLockstep() => MafShapes.RunAsync<int, int>(_maf, 0, MafEnvironment.Lockstep);

    /// <summary>MAF, default (off-thread) environment.</summary>
    [Benchmark(Description = Suite.MafDefault)]
    public ValueTask<int> MafDefault() => MafShapes.RunAsync<int, int>(_maf, 0, MafEnvironment.Default);
}
