namespace Baton.Storage;

/// <summary>
/// Where runs and their journals live. The journal is the source of truth: resume reads it.
/// </summary>
/// <remarks>
/// A store must give these guarantees:
/// <list type="bullet">
/// <item><see cref="AppendAsync"/> is atomic (an entry is stored whole or not at all) and
/// durable when it returns; entries of one run are numbered 1, 2, 3... in append order with no gaps.</item>
/// <item>Appends to one run may be called concurrently; the store serialises them.</item>
/// <item><see cref="ReadJournalAsync"/> returns entries in sequence order.</item>
/// <item>Nothing read back names a .NET type to instantiate: payloads are plain JSON.</item>
/// </list>
/// </remarks>
public interface IRunStore
{
    /// <summary>Records a new run; fails when the id exists.</summary>
    ValueTask CreateRunAsync(RunRecord run, CancellationToken cancellationToken = default);

    /// <summary>Appends an entry to a run's journal and returns it with its sequence number.</summary>
    ValueTask<JournalEntry> AppendAsync(string runId, JournalEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Reads a run's journal in sequence order.</summary>
    ValueTask<IReadOnlyList<JournalEntry>> ReadJournalAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Reads a run, or null when there is none with that id.</summary>
    ValueTask<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Changes a run's status.</summary>
    ValueTask SetStatusAsync(string runId, RunStatus status, CancellationToken cancellationToken = default);

    /// <summary>Lists runs, newest first, optionally only those with a status.</summary>
    ValueTask<IReadOnlyList<RunRecord>> ListRunsAsync(RunStatus? status = null, CancellationToken cancellationToken = default);
}
