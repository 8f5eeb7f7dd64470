using Baton.Storage;

namespace Baton.Tests.Engine;

/// <summary>Simulates a crash: a fresh store holding only the first entries of a run's journal, as a process killed at that moment leaves it.</summary>
internal static class JournalCopy
{
    public static async Task<InMemoryRunStore> PrefixAsync(IRunStore source, string runId, int entries)
    {
        var record = await source.GetRunAsync(runId) ?? throw new InvalidOperationException("no run");
        var journal = await source.ReadJournalAsync(runId);
        var copy = new InMemoryRunStore();
        await copy.CreateRunAsync(record with { Status = RunStatus.Running });
        foreach (var entry in journal.Take(entries)) await copy.AppendAsync(runId, entry);
        return copy;
    }
}
