using System.Diagnostics;
using System.Threading.Channels;
using Baton.ClusterHost;
using Baton.CrashHost;
using Baton.Orleans;
using Baton.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;
using Orleans.Hosting;
using StackExchange.Redis;

namespace Baton.Soak.Soak;

/// <summary>
/// The cluster soak: real paced worker processes (Orleans silos over real Redis membership and one real PostgreSQL
/// store) execute runs of the crash shapes handed to the cluster, several at once; the soak SIGKILLs the worker holding
/// a run at a step it let go (fixed seed), starts a replacement, and checks every run as the process soak does: output
/// of an uninterrupted run, no step completed before a kill run again, whole journals, every side effect once. It also
/// measures how long each interrupted run waited from the kill to its next step on another worker.
/// </summary>
public static class ClusterSoakRunner
{
    private sealed class Track(string runId, string shape, ShapeReference reference, Random random)
    {
        public string RunId => runId;
        public string Shape => shape;
        public ShapeReference Reference => reference;
        public Random Random => random;
        public int KillsPlanned { get; } = random.Next(1, 3);
        public int KillsMade { get; set; }
        public int Executed { get; set; }
        public int KillAt { get; set; }
        public int ExtraMs { get; set; }
        public ClusterWorker? Worker { get; set; }
        public long? KilledAt { get; set; }
        public bool Ended { get; set; }
        public List<(int Index, string Key)> Log { get; } = [];
        public List<(int Index, HashSet<string> Completed)> Snapshots { get; } = [];

        public void PlanKill()
        {
            KillAt = Executed + Random.Next(1, Math.Max(2, Reference.Executions - Executed + 1));
            ExtraMs = Random.Next(0, 8);
        }
    }

    /// <summary>Why the cluster soak cannot run against these servers, or null when it can.</summary>
    public static string? SkipReason(string? redis, string? postgres)
    {
        if (string.IsNullOrWhiteSpace(redis)) return "no Redis (BATON_TEST_REDIS unset; .ci/redis.sh starts one)";
        if (string.IsNullOrWhiteSpace(postgres)) return $"no PostgreSQL ({CrashStores.PostgresVariable} unset; .ci/postgres.sh starts one)";
        try
        {
            using var connection = ConnectionMultiplexer.Connect(new ConfigurationOptions { EndPoints = { redis.Split(',')[0] }, AbortOnConnectFail = true, ConnectTimeout = 2000 });
            connection.GetDatabase().Ping();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ArgumentException)
        {
            return $"Redis not reachable at {redis.Split(',')[0]} ({ex.Message.Split('\n')[0]})";
        }

        try
        {
            using var connection = new NpgsqlConnection(postgres);
            connection.Open();
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException or ArgumentException)
        {
            return $"PostgreSQL not reachable ({ex.Message})";
        }

        return null;
    }

    /// <summary>Runs until <see cref="ClusterSoakOptions.Kills"/> worker kills landed; the report lists every failed check.</summary>
    public static async Task<ClusterSoakReport> RunAsync(ClusterSoakOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var report = new ClusterSoakReport();
        if (SkipReason(options.Redis, options.Postgres) is { } skip)
        {
            report.Skipped = skip;
            return report;
        }

        var clock = Stopwatch.StartNew();
        var references = new Dictionary<string, ShapeReference>(StringComparer.Ordinal);
        foreach (var shape in options.Shapes) references[shape] = await ShapeReference.RunAsync(shape).WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        var dir = Directory.CreateTempSubdirectory("baton-cluster-soak-");
        var suffix = Guid.NewGuid().ToString("N")[..8];
        // A cluster of its own (membership in Redis under its id) and a schema of its own: nothing left by an earlier soak joins in.
        var clusterId = $"soak-{(uint)options.Seed}-{suffix}";
        var schema = $"csoak_{(uint)options.Seed}_{suffix}";
        var ledgerPath = Path.Combine(dir.FullName, "ledger.db");
        using (new EffectLedger(ledgerPath)) { } // created before the workers race to
        var store = await CrashStores.OpenAsync("pg:" + schema, options.Postgres);
        var events = Channel.CreateUnbounded<ClusterSoakEvent>();
        var workers = new List<ClusterWorker>();
        IHost? client = null;
        using var hang = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        hang.CancelAfter(options.Deadline);
        try
        {
            ClusterWorker StartWorker()
            {
                var worker = ClusterWorker.Start(workers.Count + 1, options.Redis, clusterId, schema, ledgerPath, options.Postgres, events.Writer);
                workers.Add(worker);
                return worker;
            }

            for (var i = 0; i < options.Workers; i++) StartWorker();
            while (workers.Count(w => w.Owner is not null) < options.Workers)
            {
                var e = await events.Reader.ReadAsync(hang.Token);
                if (e.Worker is { } w && e.Line is { } line && line.StartsWith("joined ", StringComparison.Ordinal)) w.Owner = line[7..];
                else if (e.Worker is { } gone && e.Line is null) throw new InvalidOperationException($"worker {gone.Number} exited before joining: {gone.Errors}");
            }

            options.Log?.Invoke($"cluster {clusterId}: {options.Workers} workers joined in {clock.Elapsed.TotalSeconds:0.0} s");
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Logging.SetMinimumLevel(LogLevel.None);
            builder.UseOrleansClient(c =>
            {
                c.UseRedisClustering(options.Redis);
                c.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, clusterId));
            });
            client = builder.Build();
            await client.StartAsync(hang.Token);
            var cluster = new BatonCluster(client.Services.GetRequiredService<IClusterClient>());
            await LoopAsync(options, report, references, cluster, events, StartWorker, workers, store, ledgerPath, clock, hang.Token);
            foreach (var worker in workers) worker.Dispose();
        }
        finally
        {
            foreach (var worker in workers) worker.Dispose();
            if (client is not null)
            {
                try { await client.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token); } catch (Exception ex) when (ex is OperationCanceledException or TimeoutException) { }
                client.Dispose();
            }

            if (store is IAsyncDisposable disposable) await disposable.DisposeAsync();
            await DropSchemaAsync(options.Postgres, schema);
            try { dir.Delete(recursive: true); } catch (IOException) { }
            report.Elapsed = clock.Elapsed;
        }

        return report;
    }

    private static async Task LoopAsync(ClusterSoakOptions options, ClusterSoakReport report, Dictionary<string, ShapeReference> references, BatonCluster cluster,
        Channel<ClusterSoakEvent> events, Func<ClusterWorker> startWorker, List<ClusterWorker> workers, IRunStore store, string ledgerPath, Stopwatch clock, CancellationToken cancellationToken)
    {
        var runs = new Dictionary<string, Track>(StringComparer.Ordinal);
        var index = 0;
        var started = 0;
        var inFlight = 0;
        bool MayStart() => report.Kills < options.Kills && report.Failures.Count < options.MaxFailures && (options.TimeBudget is not { } budget || clock.Elapsed < budget);

        void StartRun()
        {
            var trial = started++;
            var shape = options.Shapes[trial % options.Shapes.Count];
            var track = new Track($"c{trial}-{shape}", shape, references[shape], new Random(unchecked(options.Seed * 7919 + trial)));
            track.PlanKill();
            runs[track.RunId] = track;
            inFlight++;
            var workflow = CrashWorkflows.Build(shape, new CrashEffects(_ => { }));
            _ = Task.Run(async () =>
            {
                ClusterRunEnd end;
                var gaveUp = 0;
                while (true)
                {
                    try
                    {
                        // A start made again after one that got through finds the run stored and continues it.
                        await cluster.StartAsync(workflow, CrashWorkflows.Input, new RunOptions { RunId = track.RunId }, cancellationToken);
                        while (true)
                        {
                            var state = await cluster.WaitAsync(track.RunId, cancellationToken);
                            if (state.Status != RunStatus.Waiting)
                            {
                                end = new ClusterRunEnd(track.RunId, state.Status, null);
                                break;
                            }

                            // The approval shape asks; the answer goes through the cluster to the run's grain, on whichever worker.
                            if (await cluster.AnswerAsync(track.RunId, CrashWorkflows.Answer, cancellationToken) is { } refused)
                            {
                                end = new ClusterRunEnd(track.RunId, null, "the answer was refused: " + refused);
                                break;
                            }
                        }

                        break;
                    }
                    catch (TimeoutException ex) when (++gaveUp < 5 && !cancellationToken.IsCancellationRequested)
                    {
                        // BatonCluster gave up (a call to a killed worker's grain timed out past its RetryFor): counted and
                        // reported, not hidden; the run is followed again and still checked in full.
                        report.ClientGaveUp(track.RunId, ex.Message);
                        options.Log?.Invoke($"run {track.RunId}: BatonCluster gave up following it ({ex.Message.Split('\n')[0]}); following it again");
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        end = new ClusterRunEnd(track.RunId, null, $"{ex.GetType().Name}: {ex.Message}");
                        break;
                    }
                }

                await events.Writer.WriteAsync(new ClusterSoakEvent(null, null, end), CancellationToken.None);
            }, CancellationToken.None);
        }

        for (var i = 0; i < options.Runs && MayStart(); i++) StartRun();
        while (inFlight > 0)
        {
            var e = await events.Reader.ReadAsync(cancellationToken);
            if (e.RunEnded is { } end)
            {
                inFlight--;
                var track = runs[end.RunId];
                track.Ended = true;
                if (end.Error is not null || end.Status != RunStatus.Succeeded) Fail(report, options, track, end.Error ?? $"the run settled {end.Status}");
                else options.Log?.Invoke($"run {track.RunId}: settled after {track.KillsMade} kills; {report.Kills} kills so far");
                if (MayStart()) StartRun();
                continue;
            }

            var worker = e.Worker!;
            if (e.Line is null)
            {
                if (!worker.Doomed) report.Failures.Enqueue($"worker {worker.Number} ({worker.Owner}) exited by itself: {worker.Errors}");
                worker.Gone = true;
                continue;
            }

            if (e.Line.StartsWith("joined ", StringComparison.Ordinal))
            {
                worker.Owner = e.Line[7..];
                continue;
            }

            if (!e.Line.StartsWith("executed ", StringComparison.Ordinal)) continue;
            var key = e.Line[9..];
            var slash = key.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0 || !runs.TryGetValue(key[..slash], out var run))
            {
                report.Failures.Enqueue($"worker {worker.Number} executed a step of no run of the soak: {key}");
                continue;
            }

            index++;
            run.Log.Add((index, key));
            report.Executions++;
            // A doomed worker's steps never go ahead: the kill lands before them, however slow the machine.
            if (worker.Doomed) continue;
            if (run.KilledAt is { } killedAt)
            {
                report.Takeover(Stopwatch.GetElapsedTime(killedAt));
                run.KilledAt = null;
            }

            run.Worker = worker;
            run.Executed++;
            var alive = workers.Count(w => w.Owner is not null && !w.Doomed);
            if (run.KillsMade < run.KillsPlanned && run.Executed >= run.KillAt && report.Kills < options.Kills)
            {
                if (alive < options.Workers)
                {
                    // One death at a time: the last kill's replacement has not joined yet, so this kill moves to a later step
                    // (killing a majority of the workers at once leaves a survivor that may not declare them dead).
                    run.KillAt++;
                }
                else
                {
                    await KillAsync(options, report, runs, worker, run, key, store, startWorker, index);
                    continue;
                }
            }

            await worker.GoAsync(key);
        }

        await CheckAsync(options, report, runs.Values.Where(r => r.Ended).ToList(), store, ledgerPath);
    }

    private static async Task KillAsync(ClusterSoakOptions options, ClusterSoakReport report, Dictionary<string, Track> runs, ClusterWorker worker, Track run, string key,
        IRunStore store, Func<ClusterWorker> startWorker, int index)
    {
        // The step goes ahead, and the kill lands while it works, commits, or the worker's next step waits for its go.
        worker.Doomed = true;
        await worker.GoAsync(key);
        if (run.ExtraMs > 0) await Task.Delay(run.ExtraMs);
        var killedAt = Stopwatch.GetTimestamp();
        await worker.KillAsync();
        startWorker();
        run.KillsMade++;
        run.PlanKill();

        // What every run under way had completed at the kill: none of it may run again.
        var completed = new HashSet<string>(StringComparer.Ordinal);
        var statuses = new Dictionary<string, RunStatus>(StringComparer.Ordinal);
        foreach (var track in runs.Values.Where(t => !t.Ended))
        {
            var record = await store.GetRunAsync(track.RunId);
            if (record is null) continue;
            statuses[track.RunId] = record.Status;
            var keys = (await store.ReadJournalAsync(track.RunId)).Where(e => e.Kind == JournalEntryKind.StepCompleted).Select(e => $"{track.RunId}/{e.Key}").ToHashSet(StringComparer.Ordinal);
            track.Snapshots.Add((index, keys));
            completed.UnionWith(keys);
        }

        var interrupted = runs.Values.Where(t => !t.Ended && t.Worker == worker && statuses.GetValueOrDefault(t.RunId) == RunStatus.Running).ToList();
        foreach (var track in interrupted) track.KilledAt = killedAt;
        var midStep = worker.WentAhead.Any(k => !completed.Contains(k) && runs.TryGetValue(k[..k.IndexOf('/', StringComparison.Ordinal)], out var t) && !t.Ended);
        report.Kills++;
        if (midStep) report.KillsMidStep++;
        report.RunsInterrupted += interrupted.Count;
        options.Log?.Invoke($"kill {report.Kills}: worker {worker.Number} ({worker.Owner}) at {key}{(midStep ? " (mid-step)" : "")}, {interrupted.Count} runs interrupted ({string.Join(", ", interrupted.Select(t => t.RunId))})");
    }

    private static async Task CheckAsync(ClusterSoakOptions options, ClusterSoakReport report, List<Track> runs, IRunStore store, string ledgerPath)
    {
        using var ledger = new EffectLedger(ledgerPath);
        var effects = ledger.Effects();
        report.EffectRepeats = ledger.Repeats();
        foreach (var run in runs.OrderBy(r => r.RunId, StringComparer.Ordinal))
        {
            var failures = new List<string>();
            if (await store.GetRunAsync(run.RunId) is null)
            {
                // Its start never got through (the failure was reported when it settled): nothing to check.
                Fail(report, options, run, "the run is not in the store");
                continue;
            }

            var output = await CrashRuns.OutputAsync(store, run.RunId);
            if (output != run.Reference.Output) failures.Add($"output {Quote(output)}, an uninterrupted run's {Quote(run.Reference.Output)}");

            // No step completed before a kill ran again after it, on any worker.
            foreach (var (index, completed) in run.Snapshots)
            {
                var rerun = run.Log.Where(l => l.Index > index && completed.Contains(l.Key)).Select(l => l.Key).Distinct(StringComparer.Ordinal).ToArray();
                if (rerun.Length > 0) failures.Add($"completed steps ran again after a kill: {string.Join(", ", rerun)}");
            }

            // The journal is whole: numbered without a gap, each step completed once, ended.
            var record = await store.GetRunAsync(run.RunId);
            var journal = await store.ReadJournalAsync(run.RunId);
            for (var i = 0; i < journal.Count; i++)
            {
                if (journal[i].Sequence != i + 1)
                {
                    failures.Add($"journal entry {i + 1} has sequence {journal[i].Sequence}");
                    break;
                }
            }

            var twice = journal.Where(e => e.Kind == JournalEntryKind.StepCompleted).GroupBy(e => e.Key, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
            if (twice.Length > 0) failures.Add($"steps completed twice in the journal: {string.Join(", ", twice)}");
            if (record?.Status != RunStatus.Succeeded || journal.Count == 0 || journal[^1].Kind != JournalEntryKind.RunSucceeded)
                failures.Add($"ended {record?.Status.ToString() ?? "missing"}, its journal with {(journal.Count == 0 ? "nothing" : journal[^1].Kind.ToString())}");

            // Every side effect made exactly once: the same effects as an uninterrupted run, none missing, none twice.
            var labels = effects.Where(e => e.RunId == run.RunId).Select(e => (record?.Workflow ?? "?") + e.Key[run.RunId.Length..]).ToList();
            labels.Sort(StringComparer.Ordinal);
            if (!labels.SequenceEqual(run.Reference.Effects, StringComparer.Ordinal))
            {
                failures.Add($"side effects differ from an uninterrupted run's: {labels.Count} made, {run.Reference.Effects.Count} expected: " +
                             $"[{string.Join(", ", labels.Except(run.Reference.Effects, StringComparer.Ordinal))}] extra, [{string.Join(", ", run.Reference.Effects.Except(labels, StringComparer.Ordinal))}] missing");
            }

            report.Runs++;
            report.RunsByShape.AddOrUpdate(run.Shape, 1, (_, n) => n + 1);
            foreach (var failure in failures) Fail(report, options, run, failure);
        }
    }

    private static string Quote(string? text) => text is null ? "none" : System.Text.Json.JsonSerializer.Serialize(text);

    private static void Fail(ClusterSoakReport report, ClusterSoakOptions options, Track track, string failure)
    {
        var line = $"run {track.RunId} ({track.Shape}, seed {options.Seed}): {failure}";
        report.Failures.Enqueue(line);
        options.Log?.Invoke("FAILED " + line);
    }

    private static async Task DropSchemaAsync(string connectionString, string schema)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }
}
