using System.Diagnostics;
using System.Globalization;
using Baton.Benchmarks.Shapes;

namespace Baton.Benchmarks.Probes;

/// <summary>
/// Where Baton's time and bytes go: exact bytes per run (fitted into a fixed part per run and a
/// part per step), what the in-memory store keeps, time per step with and without that store,
/// the types behind the bytes (sampled), and the cost of the pieces every run makes.
/// </summary>
/// <remarks>Run it alone on a quiet machine: <c>dotnet run -c Release --project bench/Baton.Benchmarks -- probe</c>.</remarks>
public static class AllocationProbe
{
    private static readonly Payload Input = Payload.FromText(Workload.Input);

    /// <summary>Prints every section.</summary>
    public static async Task RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is ["spin-maf-fanout", var widthText, var mafSeconds])
        {
            var width = int.Parse(widthText, CultureInfo.InvariantCulture);
            var maf = MafShapes.FanOut(width);
            Console.WriteLine($"spinning MAF Lockstep fanout-{width}, pid {Environment.ProcessId}");
            var end = Stopwatch.GetTimestamp() + (long)(double.Parse(mafSeconds, CultureInfo.InvariantCulture) * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < end) await MafShapes.RunAsync<string, int>(maf, Workload.Input, MafEnvironment.Lockstep).ConfigureAwait(false);
            return;
        }

        if (args is ["spin", var lengthText, var store, var secondsText])
        {
            await SpinAsync(int.Parse(lengthText, CultureInfo.InvariantCulture), store == "keep", double.Parse(secondsText, CultureInfo.InvariantCulture)).ConfigureAwait(false);
            return;
        }

        if (args is ["steps", .. var rest])
        {
            await StepsAsync(rest.Length > 0 ? int.Parse(rest[0], CultureInfo.InvariantCulture) : 5).ConfigureAwait(false);
            return;
        }

        if (args is ["delayed", .. var more])
        {
            await DelayedAsync(more.Length > 0 ? int.Parse(more[0], CultureInfo.InvariantCulture) : 40).ConfigureAwait(false);
            return;
        }

        if (args is ["packing"])
        {
            await PackingAsync().ConfigureAwait(false);
            return;
        }

        Console.WriteLine($"probe: .NET {Environment.Version}, {Environment.ProcessorCount} cores, server GC {System.Runtime.GCSettings.IsServerGC}");

        Console.WriteLine();
        Console.WriteLine("== bytes per run (exact, GC.GetTotalAllocatedBytes), Baton on a store that keeps nothing ==");
        var chainBytes = new Dictionary<int, double>();
        foreach (var length in new[] { 1, 2, 3, 10, 100 })
        {
            await using var runtime = new BatonRuntime(new BatonOptions { Store = new ForgetfulStore() });
            var workflow = SequentialBuilder.Create($"chain-{length}", BatonShapes.NoOps("step", length));
            chainBytes[length] = await BytesPerRunAsync(() => runtime.RunAsync(workflow, Input), 2000 / length + 20).ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"chain-{length,-4} {chainBytes[length],10:N0} B/run"));
        }

        var perStep = (chainBytes[100] - chainBytes[10]) / 90;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fit: {perStep:N0} B per step, {chainBytes[10] - 10 * perStep:N0} B fixed per run"));
        foreach (var width in new[] { 10, 100, 1000 })
        {
            await using var runtime = new BatonRuntime(new BatonOptions { Store = new ForgetfulStore() });
            var workflow = BatonShapes.FanOut($"fanout-{width}", BatonShapes.NoOps("worker", width), BatonShapes.Roomy);
            var bytes = await BytesPerRunAsync(() => runtime.RunAsync(workflow, Input), 20000 / width + 5).ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fanout-{width,-5} {bytes,10:N0} B/run, {bytes / width:N0} B per worker"));
        }

        {
            await using var runtime = new BatonRuntime(new BatonOptions { Store = new ForgetfulStore() });
            var workflow = BatonShapes.Loop(BatonShapes.Increment(), BatonShapes.NoOp("check"), Workload.LoopIterations);
            var bytes = await BytesPerRunAsync(() => runtime.RunAsync(workflow, Payload.From(0)), 20).ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loop-1000   {bytes,10:N0} B/run, {bytes / (2 * Workload.LoopIterations):N0} B per step"));
        }

        Console.WriteLine();
        Console.WriteLine("== what the in-memory store keeps (GC.GetTotalMemory(true) after 1000 runs, one runtime) ==");
        foreach (var length in new[] { 3, 100 })
        {
            var runtime = new BatonRuntime();
            var workflow = SequentialBuilder.Create($"chain-{length}", BatonShapes.NoOps("step", length));
            await runtime.RunAsync(workflow, Input).ConfigureAwait(false);
            var before = GC.GetTotalMemory(forceFullCollection: true);
            for (var i = 0; i < 1000; i++) await runtime.RunAsync(workflow, Input).ConfigureAwait(false);
            var kept = (GC.GetTotalMemory(forceFullCollection: true) - before) / 1000.0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"chain-{length,-4} keeps {kept,8:N0} B per run ({kept / (length + 2):N0} B per journal entry), never released"));
            GC.KeepAlive(runtime);
        }

        Console.WriteLine();
        Console.WriteLine("== time per run, steady state (median of 7 batches) ==");
        foreach (var length in new[] { 1, 10, 100 })
        {
            var workflow = SequentialBuilder.Create($"chain-{length}", BatonShapes.NoOps("step", length));
            var runs = 200_000 / (length + 10);
            await using var keeping = new BatonRuntime();
            await using var forgetful = new BatonRuntime(new BatonOptions { Store = new ForgetfulStore() });
            var agents = BatonShapes.NoOps("step", length);
            var (keep, keepGc) = await NanosecondsPerRunAsync(() => keeping.RunAsync(workflow, Input), runs).ConfigureAwait(false);
            var (forget, forgetGc) = await NanosecondsPerRunAsync(() => forgetful.RunAsync(workflow, Input), runs).ConfigureAwait(false);
            var (fresh, freshGc) = await NanosecondsPerRunAsync(async () =>
            {
                await using var runtime = new BatonRuntime();
                await runtime.RunAsync(workflow, Input).ConfigureAwait(false);
            }, runs).ConfigureAwait(false);
            var (raw, _) = await NanosecondsPerRunAsync(() => RawShapes.ChainAsync(agents, Input), runs).ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"chain-{length,-4} shared in-memory store {keep / 1000,8:N2} µs (GC pauses {keepGc / 1000,6:N2}) | new runtime+store per run {fresh / 1000,8:N2} µs (GC {freshGc / 1000,6:N2}) | store that keeps nothing {forget / 1000,8:N2} µs (GC {forgetGc / 1000,6:N2}) | raw {raw / 1000,6:N3} µs"));
        }

        {
            // The loop's time per step beside the chain's: what a long journal kept in the process heap costs.
            var loop = BatonShapes.Loop(BatonShapes.Increment(), Agent.Identity("check"), 1000);
            await using var keeping = new BatonRuntime(new BatonOptions { Store = new Baton.Storage.InMemoryRunStore(maxFinishedRuns: 64) });
            await using var forgetful = new BatonRuntime(new BatonOptions { Store = new ForgetfulStore() });
            var (keep, keepGc) = await NanosecondsPerRunAsync(() => keeping.RunAsync(loop, Payload.From(0)), 40).ConfigureAwait(false);
            var (forget, forgetGc) = await NanosecondsPerRunAsync(() => forgetful.RunAsync(loop, Payload.From(0)), 40).ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"loop-1000  store keeping 64 runs {keep / 2000,8:N0} ns per step (GC pauses {keepGc / 2000,5:N0}) | store that keeps nothing {forget / 2000,8:N0} ns per step (GC {forgetGc / 2000,5:N0})"));
        }

        Console.WriteLine();
        Console.WriteLine("== types behind the bytes of chain-100 (sampled GCAllocationTick, store that keeps nothing) ==");
        await TypesAsync(SequentialBuilder.Create("chain-100", BatonShapes.NoOps("step", 100)), 20_000, perStep: 100).ConfigureAwait(false);
        Console.WriteLine();
        Console.WriteLine("== types behind the bytes of chain-1 (the fixed part of a run) ==");
        await TypesAsync(SequentialBuilder.Create("chain-1", BatonShapes.NoOps("step", 1)), 300_000, perStep: 1).ConfigureAwait(false);

        Console.WriteLine();
        Console.WriteLine("== what the pieces every run or step makes cost on their own ==");
        var time = TimeProvider.System;
        Piece("Guid.CreateVersion7(now).ToString(\"N\") (run id)", () => Guid.CreateVersion7(time.GetUtcNow()).ToString("N"));
        Piece("TimeProvider.System.GetUtcNow()", () => time.GetUtcNow());
        Piece("TimeProvider.System.GetTimestamp()", () => time.GetTimestamp());
        Piece("CancellationTokenSource.CreateLinkedTokenSource + Dispose", () =>
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(CancellationToken.None, CancellationToken.None);
        });
        using var outer = new CancellationTokenSource();
        Piece("CreateLinkedTokenSource(one live token) + Dispose", () =>
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(outer.Token);
        });
        Piece("TimeProvider.CreateTimer(1 h) + Dispose (deadline)", () =>
        {
            using var timer = time.CreateTimer(static _ => { }, null, TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan);
        });
        Piece("new Random(seed) (retry jitter)", () => new Random(42));
        Piece("new SemaphoreSlim(16, 16)", () => new SemaphoreSlim(16, 16));
        foreach (var delay in new[] { Workload.UnevenShortStep, Workload.UnevenLongStep, Workload.WorkerDelay })
        {
            var samples = new double[15];
            for (var i = 0; i < samples.Length; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await Task.Delay(delay).ConfigureAwait(false);
                samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            Array.Sort(samples);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Task.Delay({delay.TotalMilliseconds} ms) takes {samples[samples.Length / 2]:0.00} ms (median of {samples.Length})"));
        }

        var sequence = 57;
        Piece("step key string.Concat(prefix, n.ToString(), \":\", id)", () => string.Concat("", sequence.ToString(CultureInfo.InvariantCulture), ":", "step57"));
        await PackingAsync().ConfigureAwait(false);
    }

    /// <summary>What the in-memory store pays to pack a finished loop's journal (once per run, past its budget of kept entries).</summary>
    private static async Task PackingAsync()
    {
        var store = new Baton.Storage.InMemoryRunStore();
        await using var runtime = new BatonRuntime(new BatonOptions { Store = store });
        var result = await runtime.RunAsync(BatonShapes.Loop(BatonShapes.Increment(), BatonShapes.NoOp("check"), Workload.LoopIterations), Payload.From(0)).ConfigureAwait(false);
        var journal = await store.ReadJournalAsync(result.RunId).ConfigureAwait(false);
        const int Count = 300;
        Baton.Storage.PackedJournal packed = null!;
        // Long enough for the tiered JIT to optimise the packer (a run packs once, so a short loop measures unoptimised code).
        var warm = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(warm) < TimeSpan.FromSeconds(2))
        {
            packed = Baton.Storage.PackedJournal.Pack(journal);
            packed.Unpack();
        }

        var bytesBefore = GC.GetAllocatedBytesForCurrentThread();
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < Count; i++) packed = Baton.Storage.PackedJournal.Pack(journal);
        var pack = Stopwatch.GetElapsedTime(started).TotalNanoseconds / Count / journal.Count;
        var bytes = (GC.GetAllocatedBytesForCurrentThread() - bytesBefore) / (double)Count / journal.Count;
        started = Stopwatch.GetTimestamp();
        for (var i = 0; i < Count; i++) packed.Unpack();
        var unpack = Stopwatch.GetElapsedTime(started).TotalNanoseconds / Count / journal.Count;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{pack,8:N0} ns {bytes,6:N0} B  PackedJournal.Pack, per entry of a loop-{Workload.LoopIterations} journal ({journal.Count} entries, {packed.Size / (double)journal.Count:N1} B an entry packed); unpacking {unpack:N0} ns an entry"));
    }

    /// <summary>
    /// Runs a chain over and over for a while, for an outside sampling profiler:
    /// <c>DOTNET_PerfMapEnabled=1 perf record -g -F 999 -p PID</c> on Linux.
    /// </summary>
    private static async Task SpinAsync(int length, bool keep, double seconds)
    {
        await using var runtime = keep ? new BatonRuntime() : new BatonRuntime(new BatonOptions { Store = new ForgetfulStore() });
        var workflow = SequentialBuilder.Create($"chain-{length}", BatonShapes.NoOps("step", length));
        Console.WriteLine($"spinning chain-{length} on {(keep ? "the in-memory store" : "a store that keeps nothing")} for {seconds} s, pid {Environment.ProcessId}");
        var until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        long runs = 0;
        while (Stopwatch.GetTimestamp() < until)
        {
            await runtime.RunAsync(workflow, Input).ConfigureAwait(false);
            runs++;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{runs} runs, {seconds * 1e6 / runs:N2} µs per run"));
    }

    private static async Task<double> BytesPerRunAsync(Func<Task> run, int runs)
    {
        for (var i = 0; i < runs; i++) await run().ConfigureAwait(false);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < runs; i++) await run().ConfigureAwait(false);
        return (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)runs;
    }

    /// <summary>Median time per run of 7 batches, with the GC pause time per run of that batch.</summary>
    /// <summary>
    /// The two figures the kernel's targets name, quickly: per-step overhead of chain-100 (in-memory store keeping 64
    /// runs, and a store keeping nothing) and per-iteration overhead of the 2-state loop, each over its raw floor,
    /// as the median of several rounds. For comparing two builds run one after the other, not for the record.
    /// </summary>
    private static async Task StepsAsync(int rounds)
    {
        var agents = BatonShapes.NoOps("step", 100);
        var chain = SequentialBuilder.Create("chain-100", agents);
        var loop = BatonShapes.Loop(BatonShapes.Increment(), BatonShapes.NoOp("check"), Workload.LoopIterations);
        var (count, check) = (BatonShapes.Increment(), BatonShapes.NoOp("check"));
        await using var keeping = BatonShapes.NewRuntime();
        await using var forgetful = new BatonRuntime(new BatonOptions { Store = new ForgetfulStore() });
        var (chainKept, chainForgot, loopKept, loopForgot) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
        for (var round = 0; round < rounds; round++)
        {
            var (rawChain, _) = await NanosecondsPerRunAsync(() => RawShapes.ChainAsync(agents, Input), 2000).ConfigureAwait(false);
            var (kept, _) = await NanosecondsPerRunAsync(() => keeping.RunAsync(chain, Input), 2000).ConfigureAwait(false);
            var (forgot, _) = await NanosecondsPerRunAsync(() => forgetful.RunAsync(chain, Input), 2000).ConfigureAwait(false);
            var (rawLoop, _) = await NanosecondsPerRunAsync(() => RawShapes.LoopAsync(count, check, Workload.LoopIterations), 100).ConfigureAwait(false);
            var (loopKeep, _) = await NanosecondsPerRunAsync(() => keeping.RunAsync(loop, Payload.From(0)), 100).ConfigureAwait(false);
            var (loopForget, _) = await NanosecondsPerRunAsync(() => forgetful.RunAsync(loop, Payload.From(0)), 100).ConfigureAwait(false);
            chainKept.Add((kept - rawChain) / 100);
            chainForgot.Add((forgot - rawChain) / 100);
            loopKept.Add((loopKeep - rawLoop) / Workload.LoopIterations);
            loopForgot.Add((loopForget - rawLoop) / Workload.LoopIterations);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round + 1}: per step {chainKept[^1],5:N0} ns (keeping nothing {chainForgot[^1],5:N0}) | loop per iteration {loopKept[^1],6:N0} ns (keeping nothing {loopForgot[^1],6:N0})"));
        }

        static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median: per step {Median(chainKept):N0} ns (keeping nothing {Median(chainForgot):N0}) | loop per iteration {Median(loopKept):N0} ns (keeping nothing {Median(loopForgot):N0})"));
    }

    /// <summary>
    /// The fan-out of 1000 workers that each wait 20 ms, as the delayed fan-out suite runs it: its makespan over the
    /// raw <c>Task.WhenAll</c> floor, and the types behind its bytes per worker (sampled).
    /// </summary>
    private static async Task DelayedAsync(int runs)
    {
        var width = Workload.DelayedFanOutWidth;
        var workers = Enumerable.Range(0, width).Select(i => BatonShapes.Delayed($"worker{i}", Workload.WorkerDelay)).ToArray();
        var workflow = BatonShapes.FanOut("fanout-delayed", workers, BatonShapes.Wide);
        await using var runtime = BatonShapes.NewRuntime();
        for (var i = 0; i < 10; i++) await runtime.RunAsync(workflow, Input).ConfigureAwait(false);
        var (baton, batonGc) = await NanosecondsPerRunAsync(() => runtime.RunAsync(workflow, Input), runs / 7 + 1).ConfigureAwait(false);
        var (raw, _) = await NanosecondsPerRunAsync(() => RawShapes.FanOutAsync(workers, Input), runs / 7 + 1).ConfigureAwait(false);
        var floor = Workload.WorkerDelay.TotalNanoseconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fanout-{width} x {Workload.WorkerDelay.TotalMilliseconds} ms: Baton {baton / 1e6:N2} ms = {baton / floor:N3}x (GC pauses {batonGc / 1e6:N2} ms) | raw {raw / 1e6:N2} ms = {raw / floor:N3}x | Baton - raw {(baton - raw) / width / 1000:N2} µs per worker"));
        await SampleTypesAsync(runtime, workflow, runs, width, "worker", 20).ConfigureAwait(false);
    }

    private static async Task<(double Nanoseconds, double GcNanoseconds)> NanosecondsPerRunAsync(Func<Task> run, int runs)
    {
        for (var i = 0; i < runs; i++) await run().ConfigureAwait(false);
        var batches = new (double, double)[7];
        for (var b = 0; b < batches.Length; b++)
        {
            var paused = GC.GetTotalPauseDuration();
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < runs; i++) await run().ConfigureAwait(false);
            batches[b] = (Stopwatch.GetElapsedTime(started).TotalNanoseconds / runs, (GC.GetTotalPauseDuration() - paused).TotalNanoseconds / runs);
        }

        Array.Sort(batches);
        return batches[batches.Length / 2];
    }

    private static async Task TypesAsync(Workflow workflow, int runs, int perStep)
    {
        await using var runtime = new BatonRuntime(new BatonOptions { Store = new ForgetfulStore() });
        for (var i = 0; i < 1000; i++) await runtime.RunAsync(workflow, Input).ConfigureAwait(false);
        await SampleTypesAsync(runtime, workflow, runs, perStep, perStep == 1 ? "run" : "step", 25).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="workflow"/> <paramref name="runs"/> times and prints the types behind its bytes (sampled), per <paramref name="unit"/>.</summary>
    private static async Task SampleTypesAsync(BatonRuntime runtime, Workflow workflow, int runs, int unitsPerRun, string unit, int top)
    {
        using var ticks = new AllocationTicks();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        ticks.Recording = true;
        for (var i = 0; i < runs; i++) await runtime.RunAsync(workflow, Input).ConfigureAwait(false);
        ticks.Recording = false;
        var total = (double)(GC.GetTotalAllocatedBytes(precise: true) - before);
        await Task.Delay(200).ConfigureAwait(false);
        var sampled = (double)ticks.BytesByType.Values.Sum();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{total / runs / unitsPerRun:N0} B per {unit}"));
        foreach (var (type, bytes) in ticks.BytesByType.OrderByDescending(kv => kv.Value).Take(top))
        {
            var share = bytes / sampled;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{share,6:P1}  ~{share * total / runs / unitsPerRun,7:N0} B per {unit}  {type}"));
        }
    }

    private static void Piece(string what, Action action)
    {
        const int Count = 200_000;
        for (var i = 0; i < Count / 10; i++) action();
        var bytesBefore = GC.GetAllocatedBytesForCurrentThread();
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < Count; i++) action();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalNanoseconds / Count;
        var bytes = (GC.GetAllocatedBytesForCurrentThread() - bytesBefore) / (double)Count;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{elapsed,8:N0} ns {bytes,6:N0} B  {what}"));
    }
}
