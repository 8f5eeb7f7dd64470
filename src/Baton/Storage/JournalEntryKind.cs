namespace Baton.Storage;

/// <summary>What a journal entry records.</summary>
public enum JournalEntryKind
{
    /// <summary>The run started, with its input.</summary>
    RunStarted,

    /// <summary>A step finished: output, state changes and messages, and where the run went next.</summary>
    StepCompleted,

    /// <summary>A step failed after its retries, and the run took its error route (or failed).</summary>
    StepFailed,

    /// <summary>The run succeeded, with its output.</summary>
    RunSucceeded,

    /// <summary>The run failed, with its error and partial results.</summary>
    RunFailed,

    /// <summary>The run was cancelled.</summary>
    RunCancelled,

    /// <summary>
    /// The events a completed step published on topics reached the event bus (the step's outbox
    /// is done); a step completed without this marker publishes its events again on resume.
    /// </summary>
    EventsPublished,

    /// <summary>
    /// A durable timer was started by the step <see cref="JournalEntry.Key"/>, due at <see cref="JournalEntry.Timestamp"/>:
    /// a resumed run waits only for what is left of it.
    /// </summary>
    TimerStarted,

    /// <summary>
    /// State was edited from outside the run (a fork with changed state): <see cref="JournalEntry.StateChanges"/>
    /// apply as if a step had written them.
    /// </summary>
    StateEdited,

    /// <summary>
    /// The whole run state (shared and private) as it stood at this point, written every
    /// <see cref="BatonOptions.SnapshotEvery"/> state-changing steps: resume starts from the latest one instead of
    /// re-applying every write since the run began.
    /// </summary>
    StateSnapshot,
}
