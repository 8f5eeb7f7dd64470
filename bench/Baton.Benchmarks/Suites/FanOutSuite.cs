using BenchmarkDotNet.Attributes;
using Baton.Benchmarks.Shapes;

namespace Baton.Benchmarks.Suites;

/// <summary>A fan-out to no-op workers and a fan-in of all their results.</summary>
/// <remarks>Not sealed: BenchmarkDotNet's generated runner derives from it.</remarks>
public class FanOutSuite : FanOutSides
{
    /// <summary>Workers.</summary>
    [Params(10, 100, 1000)]
    public int Width { get; set; }

    /// <summary>Builds every side once and checks one run of each.</summary>
    [GlobalSetup]
    public void Setup() => Build($"fanout-{Width}", BatonShapes.NoOps("worker", Width), BatonShapes.Roomy, MafShapes.FanOut(Width));
}
