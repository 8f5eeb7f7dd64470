using Baton.Storage;

namespace Baton.TestSupport;

/// <summary>Simulates a crash: a fresh store holding only the first entries of a run's journal, as a process killed at that moment leaves it.</summary>
internal static class JournalCopy
{
    public static async Task<InMemoryRunStore> PrefixAsync(IRunStore source, string runId, int entries)
    {
        var record = await source.GetRunAsync(runId) ?? throw new InvalidOperationException("no run");
        var journal = await source.ReadJournalAsync(runId);
        var copy = new InMemoryRunStore();
        // The crashed process's lease has run out, so whoever resumes may take the run at once.
        var lease = await copy.CreateRunAsync(record with { Status = RunStatus.Running }, "crashed", TimeSpan.Zero);
        foreach (var entry in journal.Take(entries)) await copy.AppendAsync(lease, entry);
        return copy;
    }
}
