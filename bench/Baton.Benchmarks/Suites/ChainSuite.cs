using BenchmarkDotNet.Attributes;
using Baton.Benchmarks.Shapes;

namespace Baton.Benchmarks.Suites;

/// <summary>A sequential chain of no-op agents: what one step costs.</summary>
/// <remarks>Not sealed: BenchmarkDotNet's generated runner derives from it.</remarks>
public class ChainSuite
{
    private BatonRuntime _runtime = null!;
    private BatonRuntime _forgetful = null!;
    private Workflow _workflow = null!;
    private IAgent[] _agents = null!;
    private Microsoft.Agents.AI.Workflows.Workflow _maf = null!;
    private readonly Payload _input = Payload.FromText(Workload.Input);

    /// <summary>Agents in the chain.</summary>
    [Params(3, 10, 100)]
    public int Length { get; set; }

    /// <summary>Builds every side once and checks one run of each.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _agents = BatonShapes.NoOps("step", Length);
        _workflow = SequentialBuilder.Create($"chain-{Length}", _agents);
        _runtime = BatonShapes.NewRuntime();
        _forgetful = new BatonRuntime(new BatonOptions { Store = new ForgetfulStore() });
        _maf = MafShapes.Chain(Length);
        Suite.Check(async () =>
        {
            await BatonShapes.RunCheckedAsync(_runtime, _workflow, _input, o => o.AsText() == Workload.Input);
            await BatonShapes.RunCheckedAsync(_forgetful, _workflow, _input, o => o.AsText() == Workload.Input);
            Suite.Expect((await Raw()).AsText() == Workload.Input, "raw chain");
            await MafShapes.RunCheckedAsync(_maf, Workload.Input, MafEnvironment.Lockstep, Workload.Input);
            await MafShapes.RunCheckedAsync(_maf, Workload.Input, MafEnvironment.Default, Workload.Input);
        });
    }

    /// <summary>Ends the runtime.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _runtime.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _forgetful.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Baton: one run of the chain on a shared runtime with the in-memory store.</summary>
    [Benchmark(Baseline = true, Description = Suite.Baton)]
    public Task<RunResult> Baton() => _runtime.RunAsync(_workflow, _input);

    /// <summary>
    /// Diagnostic, not a side of the comparison: Baton on a store that journals nothing it keeps,
    /// to tell the engine's cost per step from the in-memory store's cost of keeping every journal.
    /// </summary>
    [Benchmark(Description = Suite.BatonNoStore)]
    public Task<RunResult> BatonNoStore() => _forgetful.RunAsync(_workflow, _input);

    /// <summary>The same agents awaited one after the other.</summary>
    [Benchmark(Description = Suite.Raw)]
    public Task<Payload> Raw() => RawShapes.ChainAsync(_agents, _input);

    /// <summary>MAF, lock-step environment.</summary>
    [Benchmark(Description = Suite.MafLockstep)]
    public ValueTask<string> MafLockstep() => MafShapes.RunAsync<string, string>(_maf, Workload.Input, MafEnvironment.Lockstep);

    /// <summary>MAF, default (off-thread) environment.</summary>
    [Benchmark(Description = Suite.MafDefault)]
    public ValueTask<string> MafDefault() => MafShapes.RunAsync<string, string>(_maf, Workload.Input, MafEnvironment.Default);
}
