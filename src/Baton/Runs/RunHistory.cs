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
}

/// <summary>One journal entry of a <see cref="RunHistory"/> and the state it left.</summary>
/// <param name="Entry">The journaled fact.</param>
/// <param name="State">Shared state (private agent state left out) after the entry was applied.</param>
public sealed record RunHistoryEntry(JournalEntry Entry, IReadOnlyDictionary<string, Payload> State);
