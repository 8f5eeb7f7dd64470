using System.Collections.Concurrent;
using Baton.Storage;

namespace Baton;

/// <summary>
/// What an execution takes from the journal of a run that ran before: the steps to replay instead of running
/// (indexed by position), the steps whose events already reached the bus, and the durable timers already set.
/// Restoring from a journal also rebuilds the run's state, mailboxes and usage.
/// </summary>
internal sealed class JournalReplay
{
    private ConcurrentDictionary<string, JournalEntry>? _steps;
    private ConcurrentDictionary<string, bool>? _published;
    private ConcurrentDictionary<string, DateTimeOffset>? _timers;

    /// <summary>True when there is anything to replay (a resumed run, or a composite trying again).</summary>
    public bool IsActive => _steps is not null;

    /// <summary>Reads a journal: the state from its latest snapshot and the writes after it, mailboxes, usage, steps to replay.</summary>
    /// <summary>The entry that recorded the run's success when the restored journal ends with one, else null.</summary>
    public JournalEntry? Succeeded { get; private set; }

    public void Restore(IReadOnlyList<JournalEntry> journal, RunState state, RunMessages messages, RunBudget budget)
    {
        var steps = new ConcurrentDictionary<string, JournalEntry>(StringComparer.Ordinal);
        // State starts from the latest snapshot; only writes after it are applied again.
        var snapshotAt = 0L;
        for (var i = journal.Count - 1; i >= 0; i--)
        {
            if (journal[i].Kind != JournalEntryKind.StateSnapshot) continue;
            snapshotAt = journal[i].Sequence;
            state.Overwrite(journal[i].StateChanges ?? []);
            break;
        }

        var usage = Usage.None;
        foreach (var entry in journal)
        {
            var applies = entry.Sequence > snapshotAt;
            // A failure with no error route ended the previous execution; resuming gives that step another chance.
            var replayable = entry.Kind == JournalEntryKind.StepCompleted || (entry.Kind == JournalEntryKind.StepFailed && entry.Next is not null);
            if (replayable && entry.Key is not null) steps[StepKey.PositionOf(entry.Key)] = entry;
            if (applies && AppliesToTheRun(entry) && entry.StateChanges is { } changes) state.Apply(changes, entry.Key);
            else if (applies && entry.Kind == JournalEntryKind.StateEdited && entry.StateChanges is { } edits) state.Overwrite(edits);
            else if (entry.Kind == JournalEntryKind.TimerStarted && entry.Key is { } timer) (_timers ??= new(StringComparer.Ordinal))[timer] = entry.Timestamp;
            usage += entry.Usage;
        }

        budget.Restore(usage);
        // The previous execution recorded the run's success and stopped before the run's status said so (a kill between
        // the two writes): resuming finishes that bookkeeping instead of walking the run again and succeeding twice.
        // A failure or a cancellation is not an end here: resuming gives the stopped step another chance.
        Succeeded = journal.Count > 0 && journal[^1].Kind == JournalEntryKind.RunSucceeded ? journal[^1] : null;
        _published = new ConcurrentDictionary<string, bool>(
            journal.Where(e => e.Kind == JournalEntryKind.EventsPublished && e.Key is not null).Select(e => KeyValuePair.Create(e.Key!, true)),
            StringComparer.Ordinal);
        _steps = steps;

        // Mailboxes as the committed steps left them: every direct message delivered, then the ones committed
        // steps consumed removed (a receiver may commit before its sender).
        var committed = journal.Where(e => e.Kind == JournalEntryKind.StepCompleted).ToArray();
        foreach (var message in committed.SelectMany(e => e.Messages ?? []).Where(m => m.Recipient is not null))
        {
            if (message.ReplyTo is null) messages.Deliver(message);
            else messages.CompleteReply(message);
        }

        foreach (var id in committed.SelectMany(e => e.Received ?? [])) messages.Consumed(id);
    }

    /// <summary>
    /// Sets the completed children of a composite step to replay, as on resume: a composite that tries again re-runs
    /// what failed, not what is done (nor applies its state twice).
    /// </summary>
    public void AddChildren(IReadOnlyList<JournalEntry> journal, string key)
    {
        // The published-events set first: a replayed child must find its marker, or it would publish again.
        var published = LazyInitializer.EnsureInitialized(ref _published, static () => new ConcurrentDictionary<string, bool>(StringComparer.Ordinal));
        foreach (var entry in journal)
        {
            if (entry.Kind == JournalEntryKind.EventsPublished && entry.Key is { } done) published[done] = true;
        }

        var steps = LazyInitializer.EnsureInitialized(ref _steps, static () => new ConcurrentDictionary<string, JournalEntry>(StringComparer.Ordinal));
        foreach (var entry in journal)
        {
            if (entry.Kind != JournalEntryKind.StepCompleted || entry.Key is not { } childKey || !StepKey.IsUnder(childKey, key)) continue;
            steps[StepKey.PositionOf(childKey)] = entry;
        }
    }

    /// <summary>The journaled step at a position (scope prefix and sequence number, without the step id), if any.</summary>
    public bool TryGetStep(string position, out JournalEntry entry)
    {
        entry = null!;
        return _steps is { } steps && steps.TryGetValue(position, out entry!);
    }

    /// <summary>True when the events the step at <paramref name="key"/> committed already reached the bus.</summary>
    public bool WasPublished(string key) => _published?.ContainsKey(key) == true;

    /// <summary>The due time a durable timer was given by an earlier execution, if any.</summary>
    public bool TryGetTimer(string key, out DateTimeOffset due)
    {
        due = default;
        return _timers is { } timers && timers.TryGetValue(key, out due);
    }

    /// <summary>Remembers a timer this execution journaled.</summary>
    public void AddTimer(string key, DateTimeOffset due) =>
        LazyInitializer.EnsureInitialized(ref _timers, static () => new ConcurrentDictionary<string, DateTimeOffset>(StringComparer.Ordinal))[key] = due;

    /// <summary>
    /// True for an entry whose writes are the run's own: a step of the run's workflow that completed, or failed and
    /// took its error route (a composite's failure keeps its children's writes). Nested steps' writes reach the run
    /// through their composite's entry (joined in child order); those of a composite still in flight are replayed
    /// into its children's scopes as they replay.
    /// </summary>
    public static bool AppliesToTheRun(JournalEntry entry) =>
        entry.Key is { } key && key.IndexOf('/') < 0
        && (entry.Kind == JournalEntryKind.StepCompleted || (entry.Kind == JournalEntryKind.StepFailed && entry.Next is not null));
}
