using Baton.Storage;

namespace Baton.CrashHost;

/// <summary>Takes a crash run (and the runs its events started) to its end after a kill, and reads what it produced.</summary>
public static class CrashRuns
{
    /// <summary>
    /// Resumes every interrupted run of the store (<see cref="BatonRuntime.ResumeInterruptedRunsAsync"/>, once the killed
    /// process's leases expired) and waits for them and for the events they publish, until no run of the store is left
    /// running; returns the status of run <paramref name="runId"/> then.
    /// </summary>
    /// <exception cref="TimeoutException">Runs were still running after <paramref name="timeout"/>.</exception>
    public static async Task<RunStatus> DrainAsync(BatonRuntime runtime, IRunStore store, string runId, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(store);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            foreach (var handle in await runtime.ResumeInterruptedRunsAsync())
            {
                await handle.Completion;
            }

            await runtime.Events.WhenIdleAsync();
            var running = await store.ListRunsAsync(new RunQuery { Status = RunStatus.Running });
            if (running.Count == 0) return (await store.GetRunAsync(runId))?.Status ?? throw new InvalidOperationException($"run '{runId}' is not in the store");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"runs still running after {timeout}: {string.Join(", ", running.Select(r => r.RunId))}");
            await Task.Delay(50);
        }
    }

    /// <summary>The output of a succeeded run, read from its journal; null when it has not succeeded.</summary>
    public static async Task<string?> OutputAsync(IRunStore store, string runId)
    {
        ArgumentNullException.ThrowIfNull(store);
        if ((await store.GetRunAsync(runId))?.Status != RunStatus.Succeeded) return null;
        var journal = await store.ReadJournalAsync(runId);
        return journal.Single(e => e.Kind == JournalEntryKind.RunSucceeded).Payload?.AsText() ?? "";
    }
}
