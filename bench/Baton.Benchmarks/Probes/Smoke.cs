using System.Diagnostics;
using System.Globalization;
using Baton.Benchmarks.Suites;

namespace Baton.Benchmarks.Probes;

/// <summary>
/// Sets up every suite (each setup checks one run of every side) and times a few runs of each
/// side: a check that the shapes work, in seconds, before a full benchmark run.
/// </summary>
public static class Smoke
{
    /// <summary>Checks and times every shape on every side.</summary>
    public static async Task RunAsync()
    {
        foreach (var length in new[] { 3, 10, 100 })
        {
            var suite = new ChainSuite { Length = length };
            suite.Setup();
            await TimeAsync($"chain-{length}", suite.Baton, suite.Raw, () => suite.MafLockstep().AsTask(), () => suite.MafDefault().AsTask()).ConfigureAwait(false);
            suite.Cleanup();
        }

        foreach (var width in new[] { 10, 100, 1000 })
        {
            var suite = new FanOutSuite { Width = width };
            suite.Setup();
            await TimeAsync($"fanout-{width}", suite.Baton, suite.Raw, () => suite.MafLockstep().AsTask(), () => suite.MafDefault().AsTask()).ConfigureAwait(false);
            suite.Cleanup();
        }

        {
            var suite = new DelayedFanOutSuite();
            suite.Setup();
            await TimeAsync("fanout-1000 x 20 ms", suite.Baton, suite.Raw, () => suite.MafLockstep().AsTask(), () => suite.MafDefault().AsTask()).ConfigureAwait(false);
            suite.Cleanup();
        }

        {
            var suite = new LoopSuite();
            suite.Setup();
            await TimeAsync("loop-1000", suite.Baton, suite.Raw, () => suite.MafLockstep().AsTask(), () => suite.MafDefault().AsTask()).ConfigureAwait(false);
            suite.Cleanup();
        }

        {
            var suite = new UnevenBranchesSuite();
            suite.Setup();
            await TimeAsync("uneven 3x10 ms || 30 ms", suite.Baton, suite.Raw, () => suite.MafLockstep().AsTask(), () => suite.MafDefault().AsTask()).ConfigureAwait(false);
            suite.Cleanup();
        }
    }

    private static async Task TimeAsync(string shape, Func<Task> baton, Func<Task> raw, Func<Task> lockstep, Func<Task> offThread)
    {
        var cells = new List<string>();
        foreach (var (side, run) in new[] { (Suite.Baton, baton), (Suite.Raw, raw), (Suite.MafLockstep, lockstep), (Suite.MafDefault, offThread) })
        {
            const int Runs = 5;
            var samples = new double[Runs];
            for (var i = 0; i < Runs; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await run().ConfigureAwait(false);
                samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            Array.Sort(samples);
            cells.Add(string.Create(CultureInfo.InvariantCulture, $"{side} {samples[Runs / 2]:0.000} ms"));
        }

        Console.WriteLine($"{shape,-24} median of 5: {string.Join(" | ", cells)}");
    }
}
