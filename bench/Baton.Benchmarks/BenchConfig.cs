using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using Perfolizer.Horology;

namespace Baton.Benchmarks;

/// <summary>The jobs the suites run with: short enough that the whole comparison fits in 10 minutes on 2 cores.</summary>
public static class BenchConfig
{
    /// <summary>
    /// One launch, 3 warm-up and 10 measured iterations of ~250 ms; with <paramref name="quick"/>,
    /// 1 warm-up and 3 iterations of ~100 ms (for a look, not for the record).
    /// </summary>
    public static IConfig Create(bool quick)
    {
        var job = quick
            ? Job.Default.WithId("Quick").WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3).WithIterationTime(TimeInterval.FromMilliseconds(100))
            : Job.Default.WithId("Short").WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10).WithIterationTime(TimeInterval.FromMilliseconds(250));
        return DefaultConfig.Instance
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .HideColumns(Column.Error, Column.Gen0, Column.Gen1, Column.Gen2, Column.AllocRatio)
            .WithOptions(ConfigOptions.DisableLogFile);
    }
}
