using System.Diagnostics;

namespace Baton.Soak.Fuzz;

/// <summary>
/// Gives each target its share of the inputs, one at a time, each under a watchdog: an input that throws anything but
/// <see cref="FuzzFailure"/> is a crash, one that outlives <see cref="FuzzOptions.Timeout"/> a hang, and both are failures
/// reported with the seed and index that make the input again.
/// </summary>
public static class FuzzRunner
{
    /// <summary>Every target's name.</summary>
    public static IReadOnlyList<string> TargetNames { get; } = ["workflow-mutated", "workflow-grammar", "model-replies", "inputs", "journal-rows", "http"];

    /// <summary>Creates a target by name.</summary>
    public static IFuzzTarget Create(string name) => name switch
    {
        "workflow-mutated" => new MutatedWorkflowTarget(),
        "workflow-grammar" => new GrammarWorkflowTarget(),
        "model-replies" => new ModelReplyTarget(),
        "inputs" => new InputValueTarget(),
        "journal-rows" => new JournalRowTarget(),
        "http" => new HttpApiTarget(),
        _ => throw new ArgumentException($"unknown fuzz target '{name}'", nameof(name)),
    };

    /// <summary>Fuzzes every chosen target; the report lists every failure.</summary>
    public static async Task<FuzzReport> RunAsync(FuzzOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var report = new FuzzReport();
        var clock = Stopwatch.StartNew();
        var targets = options.Targets.Select(Create).ToList();
        try
        {
            var weights = targets.Sum(t => t.Weight);
            var given = 0;
            for (var t = 0; t < targets.Count; t++)
            {
                var target = targets[t];
                // The last target takes what rounding left, so the inputs add up to exactly the number asked for.
                var share = t == targets.Count - 1 ? options.Inputs - given : (int)((long)options.Inputs * target.Weight / weights);
                given += share;
                var weightsLeft = targets.Skip(t).Sum(x => x.Weight);
                TimeSpan? budget = options.TimeBudget is { } total ? (total - clock.Elapsed) * target.Weight / weightsLeft : null;
                await RunTargetAsync(target, share, budget, options, report, cancellationToken);
            }
        }
        finally
        {
            foreach (var target in targets) await target.DisposeAsync();
            report.Elapsed = clock.Elapsed;
            report.PeakWorkingSet = PeakWorkingSet();
        }

        return report;
    }

    private static async Task RunTargetAsync(IFuzzTarget target, int inputs, TimeSpan? budget, FuzzOptions options, FuzzReport report, CancellationToken cancellationToken)
    {
        var figures = new FuzzTargetFigures(target.Name);
        report.Targets.Add(figures);
        var clock = Stopwatch.StartNew();
        await target.StartAsync(cancellationToken);
        var targetSeed = options.Seed ^ StableHash(target.Name);
        for (var index = 0; index < inputs && !cancellationToken.IsCancellationRequested && (budget is not { } b || clock.Elapsed < b); index++)
        {
            figures.Inputs++;
            // Input N of a target depends only on the seed, the target and N: a failure names what makes it again.
            var random = new Random(unchecked(targetSeed * 1_000_003 + index));
            using var watchdog = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var run = Task.Run(() => target.RunAsync(index, random, watchdog.Token), CancellationToken.None);
            var where = $"{target.Name} input {index} (--seed {options.Seed})";
            try
            {
                var t0 = Stopwatch.GetTimestamp();
                var outcome = await run.WaitAsync(options.Timeout, CancellationToken.None);
                if (Environment.GetEnvironmentVariable("BATON_FUZZ_SLOW") is { } slow && Stopwatch.GetElapsedTime(t0).TotalMilliseconds > double.Parse(slow, System.Globalization.CultureInfo.InvariantCulture)) options.Log?.Invoke($"SLOW {where}: {Stopwatch.GetElapsedTime(t0).TotalMilliseconds:0} ms");
                if (outcome == FuzzOutcome.Accepted) figures.Accepted++;
                else figures.Refused++;
            }
            catch (TimeoutException) when (!run.IsCompleted)
            {
                // Stop it if it listens, and leave it: one hung input must not stall the others.
                await watchdog.CancelAsync();
                figures.Failed++;
                report.Hangs++;
                Fail(report, options, $"{where}: HANG, still running after {options.Timeout.TotalSeconds:0.#} s");
            }
            catch (FuzzFailure failure)
            {
                figures.Failed++;
                Fail(report, options, $"{where}: {failure.Message}");
            }
            catch (Exception ex)
            {
                figures.Failed++;
                report.Crashes++;
                Fail(report, options, $"{where}: CRASH {ex.GetType().FullName}: {ex.Message}\n{ex.StackTrace}");
            }

            if ((index + 1) % 5000 == 0) options.Log?.Invoke($"{target.Name}: {index + 1} of {inputs} inputs, {figures.Failed} failed, {clock.Elapsed.TotalSeconds:0} s");
        }

        figures.Elapsed = clock.Elapsed;
        figures.PeakWorkingSet = PeakWorkingSet();
        options.Log?.Invoke($"{target.Name}: {figures.Inputs} inputs ({figures.Accepted} accepted, {figures.Refused} refused, {figures.Failed} failed) in {figures.Elapsed.TotalSeconds:0.0} s");
    }

    private static void Fail(FuzzReport report, FuzzOptions options, string message)
    {
        report.Failures.Enqueue(message);
        options.Log?.Invoke("FAILURE " + message);
    }

    private static long PeakWorkingSet()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.PeakWorkingSet64;
    }

    // string.GetHashCode differs per process; the seed of a target must not.
    private static int StableHash(string text)
    {
        var hash = 17;
        foreach (var c in text) hash = unchecked(hash * 31 + c);
        return hash;
    }
}
