using Baton.CrashHost;
using Baton.Storage;
using Baton.Storage.Sqlite;
using Xunit.Abstractions;

namespace Baton.Storage.Tests.Crash;

/// <summary>
/// Runs workflows in a child process on a SQLite file, kills it with SIGKILL at random moments (fixed seed), resumes
/// each run in a new process, and checks the output equals an uninterrupted run's, that no step completed before the kill
/// ran again, and that the journal is whole.
/// </summary>
public sealed class CrashResumeTests(ITestOutputHelper output)
{
    private const int KillsPerShape = 9;

    [Fact]
    public async Task Runs_killed_at_random_moments_resume_to_the_uninterrupted_output_without_re_running_completed_steps()
    {
        var random = new Random(20261123);
        var dir = Directory.CreateTempSubdirectory("baton-crash-");
        var kills = 0;
        try
        {
            foreach (var shape in CrashWorkflows.Shapes)
            {
                var expected = await UninterruptedOutputAsync(shape);
                var stepsInRun = expected.Split('>').Length - 1;
                for (var i = 0; i < KillsPerShape; i++)
                {
                    var db = Path.Combine(dir.FullName, $"{shape}-{i}.db");
                    var log = Path.Combine(dir.FullName, $"{shape}-{i}.log");
                    var runId = $"{shape}-{i}";
                    // Kill after a random number of step executions have started (and a random few ms more), so every kill lands mid-run.
                    var killAfter = random.Next(1, Math.Max(2, stepsInRun));
                    var extraMs = random.Next(0, 8);
                    var killed = await RunAndKillAsync(db, shape, runId, log, killAfter, extraMs);
                    if (!killed) continue;

                    // What the journal held at the moment of the kill: these steps must never run again.
                    var completed = await CompletedKeysAsync(db, runId);
                    // A kill counts when it interrupted the run: not before it was stored, not after it finished.
                    if (completed.Count > 0 && !await FinishedAsync(db, runId)) kills++;
                    var executedBefore = File.ReadAllLines(log).Length;

                    var (exit, stdout) = await RunToEndAsync(db, shape, runId, log);
                    Assert.True(exit == 0, $"{runId}: resume exited {exit}: {stdout}");
                    Assert.Equal("output " + System.Text.Json.JsonSerializer.Serialize(expected), stdout.Split('\n').Last(l => l.StartsWith("output ", StringComparison.Ordinal)).TrimEnd());

                    var rerun = File.ReadAllLines(log).Skip(executedBefore).Where(completed.Contains).ToArray();
                    Assert.True(rerun.Length == 0, $"{runId}: completed steps ran again after the kill: {string.Join(", ", rerun)}");
                    await AssertJournalWholeAsync(db, runId);
                    output.WriteLine($"{runId}: killed after {killAfter} executions (+{extraMs} ms) with {completed.Count} steps committed; resumed fine");
                }
            }
        }
        finally
        {
            try { dir.Delete(recursive: true); } catch (IOException) { }
        }

        Assert.True(kills >= 20, $"only {kills} of {CrashWorkflows.Shapes.Count * KillsPerShape} kills landed mid-run");
    }

    internal static async Task<string> UninterruptedOutputAsync(string shape)
    {
        await using var runtime = new BatonRuntime();
        var result = await runtime.RunAsync(CrashWorkflows.Build(shape, _ => { }), Payload.FromText("start"));
        Assert.True(result.IsSuccess, result.Error?.Message);
        return result.Output!.AsText();
    }

    /// <summary>Starts the run in a paced child process and SIGKILLs it once it has started <paramref name="killAfter"/> step executions.</summary>
    /// <returns>False when the run finished before the kill.</returns>
    internal static async Task<bool> RunAndKillAsync(string db, string shape, string runId, string log, int killAfter, int extraMs) =>
        (await CrashProcess.RunAndKillAsync(new CrashInvocation(db, shape, runId, log), killAfter, extraMs)).Killed;

    internal static Task<(int Exit, string Stdout)> RunToEndAsync(string db, string shape, string runId, string log) =>
        CrashProcess.RunToEndAsync(new CrashInvocation(db, shape, runId, log));

    internal static async Task<HashSet<string>> CompletedKeysAsync(string db, string runId)
    {
        await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = db });
        if (await store.GetRunAsync(runId) is null) return [];
        var journal = await store.ReadJournalAsync(runId);
        return journal.Where(e => e.Kind == JournalEntryKind.StepCompleted).Select(e => $"{runId}/{e.Key}").ToHashSet(StringComparer.Ordinal);
    }

    internal static async Task<bool> FinishedAsync(string db, string runId)
    {
        await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = db });
        return (await store.GetRunAsync(runId))?.Status == RunStatus.Succeeded;
    }

    internal static async Task AssertJournalWholeAsync(string db, string runId)
    {
        await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = db });
        var journal = await store.ReadJournalAsync(runId);
        Assert.Equal(Enumerable.Range(1, journal.Count).Select(i => (long)i), journal.Select(e => e.Sequence));
        var completions = journal.Where(e => e.Kind == JournalEntryKind.StepCompleted).Select(e => e.Key).ToArray();
        Assert.Equal(completions.Length, completions.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(JournalEntryKind.RunSucceeded, journal[^1].Kind);
        Assert.Equal(RunStatus.Succeeded, (await store.GetRunAsync(runId))!.Status);
    }
}
