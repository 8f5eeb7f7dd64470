using Baton.Storage;

namespace Baton;

/// <summary>A run's full history rebuilt from its journal: every entry with the run state after it.</summary>
/// <param name="Run">The run as the store lists it.</param>
/// <param name="Input">The run's input.</param>
/// <param name="Entries">Every journal entry in order, each with the shared state as it stood after it.</param>
public sealed record RunHistory(RunRecord Run, Payload Input, IReadOnlyList<RunHistoryEntry> Entries)
{
    /// <summary>The step completions, in journal order: the points a run can be forked from.</summary>
    public IEnumerable<RunHistoryEntry> Steps => Entries.Where(e => e.Entry.Kind == JournalEntryKind.StepCompleted);

    /// <summary>The shared state after the last entry.</summary>
    public IReadOnlyDictionary<string, Payload> FinalState => Entries.Count == 0 ? new Dictionary<string, Payload>() : Entries[^1].State;

    /// <summary>
    /// Rebuilds the history from a journal, applying writes as the run did: the run's own steps' writes (a composite's
    /// joined ones included) and edits, through the workflow's reducers; without a workflow, each write replaces.
    /// </summary>
    internal static RunHistory FromJournal(RunRecord record, IReadOnlyList<JournalEntry> journal, Workflow? workflow)
    {
        var state = new RunState(workflow?.AllStateReducers ?? new Dictionary<string, StateReducer>());
        var entries = new List<RunHistoryEntry>(journal.Count);
        IReadOnlyDictionary<string, Payload> snapshot = new Dictionary<string, Payload>();
        foreach (var entry in journal)
        {
            var changed = true;
            if (JournalReplay.AppliesToTheRun(entry) && entry.StateChanges is { Count: > 0 } changes) state.Apply(changes, entry.Key);
            else if (entry.Kind == JournalEntryKind.StateEdited && entry.StateChanges is { } edits) state.Overwrite(edits);
            else changed = false;
            if (changed) snapshot = state.Snapshot();
            entries.Add(new RunHistoryEntry(entry, snapshot));
        }

        var input = journal.FirstOrDefault(e => e.Kind == JournalEntryKind.RunStarted)?.Payload ?? Payload.Empty;
        return new RunHistory(record, input, entries);
    }
}

/// <summary>One journal entry of a <see cref="RunHistory"/> and the state it left.</summary>
/// <param name="Entry">The journaled fact.</param>
/// <param name="State">Shared state (private agent state left out) after the entry was applied.</param>
public sealed record RunHistoryEntry(JournalEntry Entry, IReadOnlyDictionary<string, Payload> State);
