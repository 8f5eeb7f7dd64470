using System.Diagnostics;
using Baton.CrashHost;
using Baton.Storage;
using Npgsql;

namespace Baton.Soak.Soak;

/// <summary>
/// The soak: runs every pattern in a child process, SIGKILLs it at random moments (fixed seed), resumes each run in
/// new processes to its end, and checks that the output equals an uninterrupted run's, that no step completed before a
/// kill ran again, that every journal is whole, and that every side effect was made exactly once.
/// </summary>
public static class SoakRunner
{
    /// <summary>Runs trials until <see cref="SoakOptions.Kills"/> kills landed; the report lists every failed check.</summary>
    public static async Task<SoakReport> RunAsync(SoakOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var report = new SoakReport();
        var clock = Stopwatch.StartNew();
        var dir = options.Directory is { } given ? Directory.CreateDirectory(given) : Directory.CreateTempSubdirectory("baton-soak-");
        string[] stores = options.Postgres is null ? ["sqlite"] : ["sqlite", "postgres"];
        if (options.Postgres is null) report.Skipped = $"PostgreSQL: no connection string ({CrashStores.PostgresVariable} unset; .ci/postgres.sh starts a server)";
        var references = new Dictionary<string, ShapeReference>(StringComparer.Ordinal);
        foreach (var shape in options.Shapes)
        {
            references[shape] = await ShapeReference.RunAsync(shape).WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            options.Log?.Invoke($"{shape}: an uninterrupted run executes {references[shape].Executions} steps and makes {references[shape].Effects.Count} side effects");
        }

        var next = -1;
        try
        {
            await Task.WhenAll(Enumerable.Range(0, Math.Max(1, options.Parallel)).Select(_ => Task.Run(async () =>
            {
                // Failures stop the soak early: a broken build should not loop until the kills add up.
                while (report.Kills < options.Kills && report.Failures.Count < options.MaxFailures && !cancellationToken.IsCancellationRequested
                       && (options.TimeBudget is not { } budget || clock.Elapsed < budget))
                {
                    var trial = Interlocked.Increment(ref next);
                    var shape = options.Shapes[trial % options.Shapes.Count];
                    var store = stores[trial / options.Shapes.Count % stores.Length];
                    var name = $"trial {trial} ({store}, {shape}, seed {options.Seed})";
                    try
                    {
                        var failures = await TrialAsync(options, report, dir.FullName, trial, store, shape, references[shape]);
                        options.Log?.Invoke(failures.Count == 0
                            ? $"{name}: fine; {report.Kills} kills so far"
                            : $"{name}: FAILED {string.Join(" / ", failures)}; {report.Kills} kills so far");
                        if (trial % 20 == 19) options.Log?.Invoke($"progress: {report.Kills} kills ({report.KillsMidStep} mid-step), {report.Resumes} resumes, {report.Trials} runs checked, {report.Failures.Count} failures, {clock.Elapsed:hh\\:mm\\:ss}");
                    }
                    catch (Exception ex)
                    {
                        // Anything that is not a check's finding (a hung child, an unreadable store) fails the trial too.
                        report.Failures.Enqueue($"{name}: {ex.GetType().Name}: {ex.Message}");
                        options.Log?.Invoke($"{name}: FAILED {ex.GetType().Name}: {ex.Message}");
                    }
                }
            }, cancellationToken)));
        }
        finally
        {
            report.Elapsed = clock.Elapsed;
            if (options.Directory is null)
            {
                try { dir.Delete(recursive: true); } catch (IOException) { }
            }
        }

        return report;
    }

    private static async Task<List<string>> TrialAsync(SoakOptions options, SoakReport report, string dir, int trial, string storeKind, string shape, ShapeReference reference)
    {
        // Each trial draws from its own generator: a trial's kill points depend on the seed and its number only.
        var random = new Random(unchecked(options.Seed * 7919 + trial));
        var runId = $"{shape}-{trial}";
        var schema = $"soak_{(uint)options.Seed}_{trial}";
        var storeName = storeKind == "postgres" ? "pg:" + schema : Path.Combine(dir, $"trial-{trial}.db");
        var log = Path.Combine(dir, $"trial-{trial}.log");
        var ledger = Path.Combine(dir, $"trial-{trial}.ledger.db");
        var invocation = new CrashInvocation(storeName, shape, runId, log, Ledger: ledger, Postgres: storeKind == "postgres" ? options.Postgres : null);
        var failures = new List<string>();
        var killsPlanned = random.Next(1, 4);
        var kills = new List<(HashSet<string> Completed, int LogLines)>();
        var started = false;
        // A schema left by a soak that was stopped mid-trial would hand this trial a run that already exists.
        if (storeKind == "postgres") await DropSchemaAsync(options.Postgres!, schema);
        try
        {
            for (var round = 0; ; round++)
            {
                if (round > killsPlanned + 6) throw new InvalidOperationException($"the run did not end after {round} processes");
                var status = started ? await StatusAsync(invocation) : null;
                var answer = status == RunStatus.Waiting ? CrashWorkflows.Answer : null;
                var call = invocation with { Answer = answer };
                if (started) report.Resume();
                started = true;
                if (kills.Count < killsPlanned)
                {
                    var executed = File.Exists(log) ? File.ReadAllLines(log).Distinct(StringComparer.Ordinal).Count() : 0;
                    var killAfter = random.Next(1, Math.Max(2, reference.Executions - executed + 1));
                    var extraMs = random.Next(0, 8);
                    var outcome = await CrashProcess.RunAndKillAsync(call, killAfter, extraMs);
                    if (outcome.Killed)
                    {
                        var completed = await CompletedKeysAsync(invocation);
                        kills.Add((completed, File.ReadAllLines(log).Length));
                        report.Kill(midStep: outcome.Started.Any(key => !completed.Contains(key)));
                        if (Environment.GetEnvironmentVariable("BATON_SOAK_DEBUG") == "1") options.Log?.Invoke($"kill: started [{string.Join(", ", outcome.Started)}] completed [{string.Join(", ", completed)}]");
                        continue;
                    }

                    if (outcome.ExitCode == 3) continue; // waiting for the answer, which the next process gives
                    if (outcome.ExitCode != 0) throw new InvalidOperationException($"the host exited {outcome.ExitCode}: {outcome.LastLine}");
                    break;
                }

                var (exit, stdout) = await CrashProcess.RunToEndAsync(call);
                if (exit == 3) continue;
                if (exit != 0) throw new InvalidOperationException($"the host exited {exit}: {stdout}");
                break;
            }

            await CheckAsync(invocation, reference, kills, failures, report, storeKind, shape);
        }
        finally
        {
            if (storeKind == "postgres") await DropSchemaAsync(options.Postgres!, schema);
        }

        foreach (var failure in failures) report.Failures.Enqueue($"trial {trial} ({storeKind}, {shape}, seed {options.Seed}): {failure}");
        return failures;
    }

    private static async Task CheckAsync(CrashInvocation invocation, ShapeReference reference, List<(HashSet<string> Completed, int LogLines)> kills, List<string> failures, SoakReport report, string storeKind, string shape)
    {
        var store = await CrashStores.OpenAsync(invocation.Store, invocation.Postgres);
        try
        {
            var output = await CrashRuns.OutputAsync(store, invocation.RunId);
            if (output != reference.Output) failures.Add($"output {Quote(output)}, an uninterrupted run's {Quote(reference.Output)}");

            // No step completed before a kill ran again after it.
            var log = File.ReadAllLines(invocation.Log);
            foreach (var (completed, lines) in kills)
            {
                var rerun = log.Skip(lines).Where(completed.Contains).Distinct(StringComparer.Ordinal).ToArray();
                if (rerun.Length > 0) failures.Add($"completed steps ran again after a kill: {string.Join(", ", rerun)}");
            }

            // Every run's journal is whole: numbered without a gap, each step completed once, ended.
            foreach (var run in await store.ListRunsAsync())
            {
                var journal = await store.ReadJournalAsync(run.RunId);
                for (var i = 0; i < journal.Count; i++)
                {
                    if (journal[i].Sequence != i + 1)
                    {
                        failures.Add($"run {run.RunId}: journal entry {i + 1} has sequence {journal[i].Sequence}");
                        break;
                    }
                }

                var twice = journal.Where(e => e.Kind == JournalEntryKind.StepCompleted).GroupBy(e => e.Key, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
                if (twice.Length > 0) failures.Add($"run {run.RunId}: steps completed twice in the journal: {string.Join(", ", twice)}");
                if (run.Status != RunStatus.Succeeded || journal.Count == 0 || journal[^1].Kind != JournalEntryKind.RunSucceeded)
                    failures.Add($"run {run.RunId} ({run.Workflow}) ended {run.Status}, its journal with {(journal.Count == 0 ? "nothing" : journal[^1].Kind.ToString())}");
            }

            // Every side effect made exactly once: the same effects as an uninterrupted run, none missing, none twice.
            using var ledger = new EffectLedger(invocation.Ledger!);
            var (runOutputs, effects) = await ShapeReference.ReadAsync(store, ledger.Effects());
            if (!runOutputs.SequenceEqual(reference.RunOutputs, StringComparer.Ordinal))
                failures.Add($"runs and outputs [{string.Join("; ", runOutputs)}], an uninterrupted run's [{string.Join("; ", reference.RunOutputs)}]");
            if (!effects.SequenceEqual(reference.Effects, StringComparer.Ordinal))
            {
                var missing = Subtract(reference.Effects, effects);
                var extra = Subtract(effects, reference.Effects);
                failures.Add($"side effects differ from an uninterrupted run's: missing [{string.Join(", ", missing)}], duplicated or extra [{string.Join(", ", extra)}]");
            }

            report.Finish(storeKind, shape, ledger.Repeats(), log.Length);
        }
        finally
        {
            if (store is IAsyncDisposable disposable) await disposable.DisposeAsync();
        }
    }

    private static async Task<RunStatus?> StatusAsync(CrashInvocation invocation)
    {
        var store = await CrashStores.OpenAsync(invocation.Store, invocation.Postgres);
        try
        {
            return (await store.GetRunAsync(invocation.RunId))?.Status;
        }
        finally
        {
            if (store is IAsyncDisposable disposable) await disposable.DisposeAsync();
        }
    }

    /// <summary>The idempotency keys of every step completed in every run of the store.</summary>
    private static async Task<HashSet<string>> CompletedKeysAsync(CrashInvocation invocation)
    {
        var store = await CrashStores.OpenAsync(invocation.Store, invocation.Postgres);
        try
        {
            var keys = new HashSet<string>(StringComparer.Ordinal);
            foreach (var run in await store.ListRunsAsync())
            {
                foreach (var entry in await store.ReadJournalAsync(run.RunId))
                {
                    if (entry.Kind == JournalEntryKind.StepCompleted) keys.Add($"{run.RunId}/{entry.Key}");
                }
            }

            return keys;
        }
        finally
        {
            if (store is IAsyncDisposable disposable) await disposable.DisposeAsync();
        }
    }

    private static async Task DropSchemaAsync(string connectionString, string schema)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>What <paramref name="from"/> has more often than <paramref name="other"/> (a multiset difference).</summary>
    private static List<string> Subtract(IReadOnlyList<string> from, IReadOnlyList<string> other)
    {
        var left = other.GroupBy(x => x, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var result = new List<string>();
        foreach (var item in from)
        {
            if (left.TryGetValue(item, out var n) && n > 0) left[item] = n - 1;
            else result.Add(item);
        }

        return result;
    }

    private static string Quote(string? text) => text is null ? "none" : System.Text.Json.JsonSerializer.Serialize(text);
}
