namespace Baton.Benchmarks.Shapes;

/// <summary>The sizes and delays every side of the comparison uses, so the three measure the same work.</summary>
public static class Workload
{
    /// <summary>Iterations of the two-state loop.</summary>
    public const int LoopIterations = 1000;

    /// <summary>Width of the fan-out whose workers wait.</summary>
    public const int DelayedFanOutWidth = 1000;

    /// <summary>What each worker of the delayed fan-out waits.</summary>
    public static readonly TimeSpan WorkerDelay = TimeSpan.FromMilliseconds(20);

    /// <summary>Each of the three steps of the long branch of the uneven shape.</summary>
    public static readonly TimeSpan UnevenShortStep = TimeSpan.FromMilliseconds(10);

    /// <summary>The single step of the short branch of the uneven shape.</summary>
    public static readonly TimeSpan UnevenLongStep = TimeSpan.FromMilliseconds(30);

    /// <summary>Steps of the chain of short steps in the uneven shape.</summary>
    public const int UnevenChainLength = 3;

    /// <summary>The input every shape except the loop starts with.</summary>
    public const string Input = "payload";
}
