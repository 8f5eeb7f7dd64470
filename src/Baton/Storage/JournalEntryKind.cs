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
}
