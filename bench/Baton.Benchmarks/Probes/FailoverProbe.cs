using System.Diagnostics;
using System.Globalization;
using Baton.Storage;
using Baton.Storage.Postgres;
using StackExchange.Redis;

namespace Baton.Benchmarks.Probes;

/// <summary>
/// The time from <c>kill -9</c> of the worker running a run to that run's continuing on another worker, with real
/// <c>baton worker</c> processes on Redis membership and PostgreSQL (tuned membership: the defaults of
/// <c>BatonClusterOptions</c>). BenchmarkDotNet cannot measure this (one event per kill); each round prints when the run
/// was taken over (its lease held by the surviving worker) and when its next step completed.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project bench/Baton.Benchmarks -- failover [ROUNDS]</c>, after building src/Baton.Cli in
/// Release; Redis at <c>BATON_TEST_REDIS</c> (default 127.0.0.1:6390, .ci/redis.sh) and PostgreSQL at
/// <c>BATON_TEST_POSTGRES</c> (.ci/postgres.sh).
/// </remarks>
public static class FailoverProbe
{
    private const int StepMilliseconds = 300;

    public static async Task RunAsync(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        var redis = Environment.GetEnvironmentVariable("BATON_TEST_REDIS") is { Length: > 0 } r ? r : "127.0.0.1:6390";
        var postgres = Environment.GetEnvironmentVariable("BATON_TEST_POSTGRES") is { Length: > 0 } p ? p : "Host=127.0.0.1;Port=5432;Username=baton;Password=baton;Database=baton_test";
        using (var connection = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { redis }, AllowAdmin = true }).ConfigureAwait(false))
        {
            foreach (var server in connection.GetServers()) await server.FlushDatabaseAsync(7).ConfigureAwait(false);
        }

        var cluster = $"{redis},defaultDatabase=7";
        await using var store = await PostgresRunStore.OpenAsync(new PostgresRunStoreOptions { ConnectionString = postgres }).ConfigureAwait(false);
        var folder = Directory.CreateTempSubdirectory("baton-failover-").FullName;
        var file = Path.Combine(folder, "long.yaml");
        await File.WriteAllTextAsync(file, $$"""
            version: 1
            name: failover-probe
            models:
              slow: { provider: scripted, replies: ["done"], delay: {{StepMilliseconds}}ms }
            agents:
              step: { model: slow, instructions: "Work." }
            workflow:
              sequential: [step, step, step, step, step, step, step, step, step, step, step, step]
            """).ConfigureAwait(false);
        var workers = new List<(Process Process, string Owner)>();
        try
        {
            Console.WriteLine($"kill -9 of the worker running a run (each step {StepMilliseconds} ms), {rounds} rounds");
            Console.WriteLine("| round | taken over by the other worker | next step completed there |");
            Console.WriteLine("|---:|---:|---:|");
            var takeovers = new List<double>();
            var nextSteps = new List<double>();
            for (var round = 1; round <= rounds; round++)
            {
                while (workers.Count < 2) workers.Add(await StartWorkerAsync(cluster, postgres).ConfigureAwait(false));
                using var run = Start(folder, CliDll, "run", file, "--json", "--cluster", cluster, "--store", postgres);
                var runId = (await run.StandardError.ReadLineAsync().ConfigureAwait(false))!.Split(' ')[1];
                while ((await store.ReadJournalAsync(runId).ConfigureAwait(false)).Count(e => e.Kind == JournalEntryKind.StepCompleted) < 2) await Task.Delay(20).ConfigureAwait(false);
                var before = (await store.ReadJournalAsync(runId).ConfigureAwait(false)).Count(e => e.Kind == JournalEntryKind.StepCompleted);
                var holder = (await store.GetRunAsync(runId).ConfigureAwait(false))!.LeaseOwner;
                var doomed = workers.Single(w => w.Owner == holder);
                var clock = Stopwatch.StartNew();
                doomed.Process.Kill(entireProcessTree: true);
                workers.Remove(doomed);
                double? takenOver = null;
                while (true)
                {
                    var record = (await store.GetRunAsync(runId).ConfigureAwait(false))!;
                    if (takenOver is null && record.LeaseOwner is { } owner && owner != holder) takenOver = clock.Elapsed.TotalMilliseconds;
                    if ((await store.ReadJournalAsync(runId).ConfigureAwait(false)).Count(e => e.Kind == JournalEntryKind.StepCompleted) > before) break;
                    if (clock.Elapsed > TimeSpan.FromSeconds(120)) throw new TimeoutException($"run {runId} did not continue within 120 s");
                    await Task.Delay(10).ConfigureAwait(false);
                }

                var next = clock.Elapsed.TotalMilliseconds;
                takeovers.Add(takenOver ?? next);
                nextSteps.Add(next);
                Console.WriteLine($"| {round} | {takenOver ?? next:0} ms | {next:0} ms |");
                await run.WaitForExitAsync().ConfigureAwait(false);
            }

            Console.WriteLine($"| median | {Median(takeovers):0} ms | {Median(nextSteps):0} ms |");
        }
        finally
        {
            foreach (var (process, _) in workers) process.Kill(entireProcessTree: true);
            Directory.Delete(folder, recursive: true);
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static async Task<(Process, string)> StartWorkerAsync(string cluster, string postgres)
    {
        var process = Start(Environment.CurrentDirectory, CliDll, "worker", "--cluster", cluster, "--store", postgres);
        while (await process.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith("worker ", StringComparison.Ordinal) && line.Contains(" joined the cluster", StringComparison.Ordinal))
            {
                // Keep draining its output so it never blocks on a full pipe.
                _ = process.StandardError.ReadToEndAsync();
                _ = process.StandardOutput.ReadToEndAsync();
                return (process, line.Split(' ')[1]);
            }
        }

        throw new InvalidOperationException("baton worker exited before joining");
    }

    private static Process Start(string folder, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment.Remove("BATON_STORE");
        info.Environment.Remove("BATON_CLUSTER");
        return Process.Start(info)!;
    }

    /// <summary>The command, built in Release beside this project.</summary>
    private static string CliDll
    {
        get
        {
            var here = new DirectoryInfo(AppContext.BaseDirectory); // bench/Baton.Benchmarks/bin/<config>/<tfm>/
            var root = here.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(root, "src", "Baton.Cli", "bin", here.Parent.Name, here.Name, "Baton.Cli.dll");
        }
    }
}
