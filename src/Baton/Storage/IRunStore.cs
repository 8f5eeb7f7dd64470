namespace Baton.Storage;

/// <summary>
/// Where runs, their journals and their open questions to people live. The journal is the source
/// of truth: resume, replay and fork read it.
/// </summary>
/// <remarks>
/// A store must give these guarantees (the conformance suite in tests/Baton.Storage.Tests checks them):
/// <list type="bullet">
/// <item><see cref="AppendAsync"/> is atomic (an entry is stored whole or not at all) and durable when it
/// returns; entries of one run are numbered 1, 2, 3... in append order with no gaps.</item>
/// <item>Appends to one run may be called concurrently; the store serialises them (and may batch them).</item>
/// <item>One writer per run: appends and status changes carry a <see cref="RunLease"/>; once another holder
/// has taken the run (after the lease expired), the old holder's writes fail with
/// <see cref="RunLeaseLostException"/>, so two processes can never both advance one run.</item>
/// <item>Nothing read back names a .NET type to instantiate: payloads are plain JSON bound to known
/// contracts, and data written by a newer format is refused with <see cref="StoreFormatException"/>.</item>
/// </list>
/// </remarks>
public interface IRunStore
{
    /// <summary>True when what is written survives the process (a run can be resumed elsewhere, a person can answer after a restart).</summary>
    bool IsDurable { get; }

    /// <summary>Records a new run and returns a lease on it held by <paramref name="owner"/>; fails when the id exists.</summary>
    ValueTask<RunLease> CreateRunAsync(RunRecord run, string owner, TimeSpan leaseDuration, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a new run together with the first entries of its journal (numbered 1, 2, 3...) and returns a lease on
    /// it held by <paramref name="owner"/>; fails when the id exists. The record and the entries are stored
    /// atomically: after a crash either the run is there with all of them, or nothing is (a started run always has its
    /// start entry; a fork never has half of the journal it copied).
    /// </summary>
    /// <remarks>The default stores the record, then appends the entries one by one (not atomic): stores override it.</remarks>
    async ValueTask<RunLease> CreateRunAsync(RunRecord run, string owner, TimeSpan leaseDuration, IReadOnlyList<JournalEntry> initialEntries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(initialEntries);
        var lease = await CreateRunAsync(run, owner, leaseDuration, cancellationToken).ConfigureAwait(false);
        foreach (var entry in initialEntries) await AppendAsync(lease, entry with { Sequence = 0 }, cancellationToken).ConfigureAwait(false);
        return lease;
    }

    /// <summary>
    /// Takes the lease on a run when nobody holds it or the holder's lease has expired (or
    /// <paramref name="owner"/> already holds it); null when another owner holds an unexpired lease.
    /// Each successful take increments the run's lease epoch, which fences out older holders.
    /// </summary>
    ValueTask<RunLease?> TryAcquireLeaseAsync(string runId, string owner, TimeSpan leaseDuration, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes the lease on a run from <paramref name="deadOwner"/> at once, expired or not: for a holder known to be gone
    /// (a process on this machine that no longer exists). Succeeds only when the current holder is exactly
    /// <paramref name="deadOwner"/>; null otherwise (the lease was released, renewed by a live holder's successor, or
    /// taken by another). Like every take it increments the lease epoch, fencing the old holder out.
    /// </summary>
    /// <remarks>The default never steals (null): the caller waits for the lease to expire. Stores override it.</remarks>
    ValueTask<RunLease?> StealLeaseAsync(string runId, string deadOwner, string owner, TimeSpan leaseDuration, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<RunLease?>(null);

    /// <summary>Extends a held lease; false when it was lost to another holder (it may renew after expiry while nobody took it).</summary>
    ValueTask<bool> RenewLeaseAsync(RunLease lease, TimeSpan leaseDuration, CancellationToken cancellationToken = default);

    /// <summary>Gives a lease up so another process may take the run at once; does nothing when it was already lost.</summary>
    ValueTask ReleaseLeaseAsync(RunLease lease, CancellationToken cancellationToken = default);

    /// <summary>Appends an entry to the leased run's journal and returns it with its sequence number.</summary>
    /// <exception cref="RunLeaseLostException">Another holder has taken the run.</exception>
    ValueTask<JournalEntry> AppendAsync(RunLease lease, JournalEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Reads a run's journal in sequence order, the entries after <paramref name="afterSequence"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such run.</exception>
    ValueTask<IReadOnlyList<JournalEntry>> ReadJournalAsync(string runId, long afterSequence = 0, CancellationToken cancellationToken = default);

    /// <summary>Reads a run, or null when there is none with that id.</summary>
    ValueTask<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Changes the leased run's status.</summary>
    /// <exception cref="RunLeaseLostException">Another holder has taken the run.</exception>
    ValueTask SetStatusAsync(RunLease lease, RunStatus status, CancellationToken cancellationToken = default);

    /// <summary>Lists runs, newest first (by start time, then id), filtered by the query.</summary>
    ValueTask<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a question to a person. Idempotent by <see cref="HumanRequest.Id"/>: saving a request that
    /// exists returns the stored one unchanged (so a step asking again after a resume finds its answer).
    /// </summary>
    ValueTask<HumanRequest> SaveHumanRequestAsync(HumanRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reads a request, or null.</summary>
    ValueTask<HumanRequest?> GetHumanRequestAsync(string requestId, CancellationToken cancellationToken = default);

    /// <summary>Lists requests, oldest first: of one run or of all, only open ones or all.</summary>
    ValueTask<IReadOnlyList<HumanRequest>> ListHumanRequestsAsync(string? runId = null, bool openOnly = true, CancellationToken cancellationToken = default);

    /// <summary>
    /// Closes an open request with an answer (<see cref="HumanRequestStatus.Answered"/>), or with another final
    /// status (withdrawn, expired); false when it was not open any more (the first close wins, across processes).
    /// </summary>
    ValueTask<bool> CloseHumanRequestAsync(string requestId, HumanRequestStatus status, string? answer, DateTimeOffset closedAt, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes finished runs (succeeded, failed, cancelled) last updated before <paramref name="finishedBefore"/>,
    /// with their journals, requests and any data only they referenced; returns how many runs went.
    /// </summary>
    ValueTask<int> DeleteFinishedRunsAsync(DateTimeOffset finishedBefore, CancellationToken cancellationToken = default);
}
