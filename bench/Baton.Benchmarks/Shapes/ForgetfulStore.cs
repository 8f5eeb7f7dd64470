using Baton.Storage;

namespace Baton.Benchmarks.Shapes;

/// <summary>
/// A store that numbers entries like <see cref="InMemoryRunStore"/> but keeps nothing: the probe
/// runs Baton on it to tell the cost of keeping every journal from the cost of making it.
/// Not for anything but measurement: nothing can be resumed from it.
/// </summary>
public sealed class ForgetfulStore : IRunStore
{
    private long _sequence;

    /// <inheritdoc/>
    public bool IsDurable => false;

    /// <inheritdoc/>
    public ValueTask<RunLease> CreateRunAsync(RunRecord run, string owner, TimeSpan leaseDuration, CancellationToken cancellationToken = default) =>
        new(new RunLease(run.RunId, owner, 1, DateTimeOffset.MaxValue));

    /// <inheritdoc/>
    public ValueTask<RunLease?> TryAcquireLeaseAsync(string runId, string owner, TimeSpan leaseDuration, CancellationToken cancellationToken = default) =>
        new(new RunLease(runId, owner, 1, DateTimeOffset.MaxValue));

    /// <inheritdoc/>
    public ValueTask<bool> RenewLeaseAsync(RunLease lease, TimeSpan leaseDuration, CancellationToken cancellationToken = default) => new(true);

    /// <inheritdoc/>
    public ValueTask ReleaseLeaseAsync(RunLease lease, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc/>
    public ValueTask<JournalEntry> AppendAsync(RunLease lease, JournalEntry entry, CancellationToken cancellationToken = default) =>
        new(entry with { Sequence = Interlocked.Increment(ref _sequence) });

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<JournalEntry>> ReadJournalAsync(string runId, long afterSequence = 0, CancellationToken cancellationToken = default) => new([]);

    /// <inheritdoc/>
    public ValueTask<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken = default) => new((RunRecord?)null);

    /// <inheritdoc/>
    public ValueTask SetStatusAsync(RunLease lease, RunStatus status, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery? query = null, CancellationToken cancellationToken = default) => new([]);

    /// <inheritdoc/>
    public ValueTask<HumanRequest> SaveHumanRequestAsync(HumanRequest request, CancellationToken cancellationToken = default) => new(request);

    /// <inheritdoc/>
    public ValueTask<HumanRequest?> GetHumanRequestAsync(string requestId, CancellationToken cancellationToken = default) => new((HumanRequest?)null);

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<HumanRequest>> ListHumanRequestsAsync(string? runId = null, bool openOnly = true, CancellationToken cancellationToken = default) => new([]);

    /// <inheritdoc/>
    public ValueTask<bool> CloseHumanRequestAsync(string requestId, HumanRequestStatus status, string? answer, DateTimeOffset closedAt, CancellationToken cancellationToken = default) => new(false);

    /// <inheritdoc/>
    public ValueTask<int> DeleteFinishedRunsAsync(DateTimeOffset finishedBefore, CancellationToken cancellationToken = default) => new(0);
}
