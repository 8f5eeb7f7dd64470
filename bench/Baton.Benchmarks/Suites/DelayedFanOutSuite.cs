using BenchmarkDotNet.Attributes;
using Baton.Benchmarks.Shapes;

namespace Baton.Benchmarks.Suites;

/// <summary>A 1000-wide fan-out whose workers each wait 20 ms: the ideal is 20 ms.</summary>
/// <remarks>Not sealed: BenchmarkDotNet's generated runner derives from it. Baton runs with MaxParallel raised to 1000.</remarks>
public class DelayedFanOutSuite : FanOutSides
{
    /// <summary>Builds every side once and checks one run of each.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var width = Workload.DelayedFanOutWidth;
        var workers = Enumerable.Range(0, width).Select(i => BatonShapes.Delayed($"worker{i}", Workload.WorkerDelay)).ToArray();
        Build("fanout-delayed", workers, BatonShapes.Wide, MafShapes.FanOut(width, Workload.WorkerDelay));
    }
}
