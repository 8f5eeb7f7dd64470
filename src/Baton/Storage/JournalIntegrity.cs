namespace Baton.Storage;

/// <summary>
/// Checks a store makes on what it reads back, so damage is a named error rather than a wrong resume: a journal's
/// entries are numbered 1, 2, 3… with no number missing, up to the run's last appended entry.
/// </summary>
public static class JournalIntegrity
{
    /// <summary>
    /// Refuses a journal read after <paramref name="afterSequence"/> whose entries skip a number, or that ends before
    /// <paramref name="lastSequence"/> (the last entry the store says it appended; null when it does not know).
    /// </summary>
    /// <exception cref="StoreFormatException">An entry is missing: the journal has a gap.</exception>
    public static void CheckNoGap(string runId, long afterSequence, IReadOnlyList<JournalEntry> entries, long? lastSequence = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var expected = afterSequence + 1;
        foreach (var entry in entries)
        {
            if (entry.Sequence != expected) throw Gap(runId, expected, entry.Sequence);
            expected++;
        }

        if (lastSequence is { } last && last >= expected) throw Gap(runId, expected, null);
    }

    /// <summary>
    /// Refuses a whole journal (read from its first entry) that a resume could not trust: one that does not begin with
    /// the run's start, or holds a step entry whose key is not a step key (a damaged row that still parsed as JSON).
    /// </summary>
    /// <exception cref="StoreFormatException">The journal is damaged; the message names the run, the entry and the problem.</exception>
    public static void CheckResumable(string runId, IReadOnlyList<JournalEntry> journal)
    {
        ArgumentNullException.ThrowIfNull(journal);
        if (journal.Count == 0 || journal[0].Kind != JournalEntryKind.RunStarted)
        {
            var first = journal.Count == 0 ? "it is empty" : $"entry {journal[0].Sequence} is {journal[0].Kind}";
            throw new StoreFormatException($"the journal of run '{runId}' does not begin with the run's start ({first}): it is damaged and the run cannot be resumed");
        }

        foreach (var entry in journal)
        {
            foreach (var change in entry.StateChanges ?? [])
            {
                if (string.IsNullOrEmpty(change?.Name)) throw new StoreFormatException($"journal entry {entry.Sequence} of run '{runId}' is damaged: it writes a state variable without a name; the run cannot be resumed");
            }

            var stepEntry = entry.Kind is JournalEntryKind.StepCompleted or JournalEntryKind.StepFailed or JournalEntryKind.EventsPublished;
            if (!stepEntry || entry.Key is null || StepKey.TryParse(entry.Key, out _)) continue;
            throw new StoreFormatException($"journal entry {entry.Sequence} of run '{runId}' is damaged: its step key '{entry.Key}' is not a step key; the run cannot be resumed");
        }
    }

    private static StoreFormatException Gap(string runId, long missing, long? found) =>
        new($"the journal of run '{runId}' has a gap: entry {missing} is missing ({(found is { } f ? $"the next entry is {f}" : "it ends before the last entry the run appended")}); the run cannot be resumed or reported from a damaged journal");
}
