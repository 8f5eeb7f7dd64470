using Baton.Storage;

namespace Baton.Tests.Failures;

/// <summary>Runs alone: it measures the process's live memory, which other tests running at the same time would change.</summary>
[CollectionDefinition(nameof(MeasuresMemory), DisableParallelization = true)]
public sealed class MeasuresMemory;

/// <summary>
/// A runtime that has finished 100,000 runs holds nothing of them once the store lets them go: the memory it keeps
/// after a full collection stays flat.
/// </summary>
[Collection(nameof(MeasuresMemory))]
public sealed class ManyRunsMemoryTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Runs = 100_000;

    /// <summary>
    /// The most the live heap may grow over the 100,000 runs: 16 MiB. Anything a runtime kept per run — a handle, an
    /// event log, a lease entry, a cancellation registration, at least ~170 bytes each — would pass it.
    /// </summary>
    private const long MaxGrowthBytes = 16 * 1024 * 1024;

    [Fact]
    public async Task A_hundred_thousand_finished_runs_leave_the_runtimes_memory_flat()
    {
        var store = new InMemoryRunStore();
        await using var runtime = new BatonRuntime(new BatonOptions { Store = store });
        var workflow = new SequentialBuilder("many")
            .Then(Agent.Create("double", p => Payload.FromText(p.AsText() + p.AsText())))
            .Then(Agent.Create("count", p => Payload.FromText(p.AsText().Length.ToString(System.Globalization.CultureInfo.InvariantCulture))))
            .Build();

        async Task RunBatchAsync(int count)
        {
            // Eight at a time, as a busy host would; the store forgets finished runs, as a retention job does.
            for (var done = 0; done < count; done += 1000)
            {
                await Parallel.ForAsync(0, 1000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
                {
                    var result = await runtime.RunAsync(workflow, "ab");
                    if (!result.IsSuccess || result.Output!.AsText() != "4") throw new InvalidOperationException($"run {result.RunId} ended {result.Status}: {result.Error}");
                });
                await store.DeleteFinishedRunsAsync(DateTimeOffset.MaxValue);
            }
        }

        // Warm up (JIT, pools, static caches), then measure from there.
        await RunBatchAsync(2_000);
        var before = LiveBytes();
        await RunBatchAsync(Runs);
        var after = LiveBytes();

        output.WriteLine($"live heap: {before:N0} bytes after warm-up, {after:N0} bytes after {Runs:N0} more runs ({after - before:+#,0;-#,0;0} bytes)");
        Assert.Empty(await store.ListRunsAsync());
        Assert.True(after - before < MaxGrowthBytes, $"the live heap grew by {(after - before) / 1024.0 / 1024.0:0.0} MiB over {Runs:N0} runs (before {before / 1024 / 1024} MiB, after {after / 1024 / 1024} MiB)");
    }

    private static long LiveBytes()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
