namespace Baton.Storage;

/// <summary>A store that passes every call to another: derive from it to decorate a store (faults, metrics, caching).</summary>
public abstract class DelegatingRunStore : IRunStore
{
    /// <summary>Wraps a store.</summary>
    protected DelegatingRunStore(IRunStore inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
    }

    /// <summary>The wrapped store.</summary>
    protected IRunStore Inner { get; }

    /// <inheritdoc/>
    public virtual bool IsDurable => Inner.IsDurable;

    /// <inheritdoc/>
    public virtual ValueTask<RunLease> CreateRunAsync(RunRecord run, string owner, TimeSpan leaseDuration, CancellationToken cancellationToken = default) => Inner.CreateRunAsync(run, owner, leaseDuration, cancellationToken);

    /// <inheritdoc/>
    public virtual ValueTask<RunLease> CreateRunAsync(RunRecord run, string owner, TimeSpan leaseDuration, IReadOnlyList<JournalEntry> initialEntries, CancellationToken cancellationToken = default) => Inner.CreateRunAsync(run, owner, leaseDuration, initialEntries, cancellationToken);

    /// <inheritdoc/>
    public virtual ValueTask<RunLease?> StealLeaseAsync(string runId, string deadOwner, string owner, TimeSpan leaseDuration, CancellationToken cancellationToken = default) => Inner.StealLeaseAsync(runId, deadOwner, owner, leaseDuration, cancellationToken);

    /// <inheritdoc/>
    public virtual ValueTask<RunLease?> TryAcquireLeaseAsync(string runId, string owner, TimeSpan leaseDuration, CancellationToken cancellationToken = default) => Inner.TryAcquireLeaseAsync(runId, owner, leaseDuration, cancellationToken);

    /// <inheritdoc/>
    public virtual ValueTask<bool> RenewLeaseAsync(RunLease lease, TimeSpan leaseDuration, CancellationToken cancellationToken = default) => Inner.RenewLeaseAsync(lease, leaseDuration, cancellationToken);

    /// <inheritdoc/>
    public virtual ValueTask ReleaseLeaseAsync(RunLease lease, CancellationToken cancellationToken = default) => Inner.ReleaseLeaseAsync(lease, cancellationToken);

    /// <inheritdoc/>
    public virtual ValueTask<JournalEntry> AppendAsync(RunLease lease, JournalEntry entry, CancellationToken cancellationToken = default) => Inner.AppendAsync(lease, entry, cancellationToken);

    /// <inheritdoc/>
    public virtual ValueTask<IReadOnlyList<JournalEntry>> ReadJournalAsync(string runId, long afterSequence = 0, CancellationToken cancellationToken = default) => Inner.ReadJournalAsync(runId, afterSequence, cancellationToken);

    /// <inheritdoc/>
    public virtual ValueTask<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken = default) => Inner.GetRunAsync(runId, cancellationToken);

    /// <inheritdoc/>
    public virtual ValueTask SetStatusAsync(RunLease lease, RunStatus status, CancellationToken cancellationToken = default) => Inner.SetStatusAsync(lease, status, cancellationToken);

    /// <inheritdoc/>
    public virtual ValueTask<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery? query = null, CancellationToken cancellationToken = default) => Inner.ListRunsAsync(query, cancellationToken);

    /// <inheritdoc/>
    public virtual ValueTask<HumanRequest> SaveHumanRequestAsync(HumanRequest request, CancellationToken cancellationToken = default) => Inner.SaveHumanRequestAsync(request, cancellationToken);

    /// <inheritdoc/>
    public virtual ValueTask<HumanRequest?> GetHumanRequestAsync(string requestId, CancellationToken cancellationToken = default) => Inner.GetHumanRequestAsync(requestId, cancellationToken);

    /// <inheritdoc/>
    public virtual ValueTask<IReadOnlyList<HumanRequest>> ListHumanRequestsAsync(string? runId = null, bool openOnly = true, CancellationToken cancellationToken = default) => Inner.ListHumanRequestsAsync(runId, openOnly, cancellationToken);

    /// <inheritdoc/>
    public virtual ValueTask<bool> CloseHumanRequestAsync(string requestId, HumanRequestStatus status, string? answer, DateTimeOffset closedAt, CancellationToken cancellationToken = default) => Inner.CloseHumanRequestAsync(requestId, status, answer, closedAt, cancellationToken);

    /// <inheritdoc/>
    public virtual ValueTask<int> DeleteFinishedRunsAsync(DateTimeOffset finishedBefore, CancellationToken cancellationToken = default) => Inner.DeleteFinishedRunsAsync(finishedBefore, cancellationToken);
}
