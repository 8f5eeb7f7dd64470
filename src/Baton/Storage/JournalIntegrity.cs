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

    private static StoreFormatException Gap(string runId, long missing, long? found) =>
        new($"the journal of run '{runId}' has a gap: entry {missing} is missing ({(found is { } f ? $"the next entry is {f}" : "it ends before the last entry the run appended")}); the run cannot be resumed or reported from a damaged journal");
}
