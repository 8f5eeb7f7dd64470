using Baton.Storage;

namespace Baton;

/// <summary>What a fork starts from: an old run's journal up to a point, with state edits after it.</summary>
internal static class RunFork
{
    /// <summary>
    /// The entries a fork is created with: the old journal up to and including <paramref name="afterSequence"/> (but
    /// the old run's ending: the fork goes on from there), then the edits as one <see cref="JournalEntryKind.StateEdited"/> entry.
    /// </summary>
    /// <exception cref="ArgumentException">An edit names no variable, or an agent's private state.</exception>
    public static List<JournalEntry> CopyJournal(IReadOnlyList<JournalEntry> journal, long afterSequence, IReadOnlyDictionary<string, Payload>? stateEdits, DateTimeOffset now)
    {
        foreach (var name in stateEdits?.Keys ?? [])
        {
            if (string.IsNullOrWhiteSpace(name) || RunState.IsPrivate(name)) throw new ArgumentException($"'{name}' cannot be edited: only shared state can", nameof(stateEdits));
        }

        var copied = journal.Where(e => e.Sequence <= afterSequence && e.Kind is not (JournalEntryKind.RunSucceeded or JournalEntryKind.RunFailed or JournalEntryKind.RunCancelled)).ToList();
        if (stateEdits is { Count: > 0 }) copied.Add(new JournalEntry { Kind = JournalEntryKind.StateEdited, StateChanges = [.. stateEdits.Select(e => new StateChange(e.Key, e.Value))], Timestamp = now });
        return copied;
    }
}
