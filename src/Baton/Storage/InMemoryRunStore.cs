using System.Collections.Concurrent;

namespace Baton.Storage;

/// <summary>
/// A store that keeps runs in memory: for tests and short-lived processes. It keeps the
/// <see cref="MaxFinishedRuns"/> most recently finished runs and forgets older ones, so a
/// long-lived process does not grow without bound; unfinished runs are always kept.
/// </summary>
/// <remarks>
/// Finished runs' journals beyond the newest few thousand entries are kept packed, one array each, rather than as entry
/// objects, so the runs kept cost the garbage collector almost nothing to trace; reading one returns entries equal to
/// those written.
/// </remarks>
public sealed class InMemoryRunStore : IRunStore
{
    private readonly ConcurrentDictionary<string, StoredRun> _runs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HumanRequest> _requests = new(StringComparer.Ordinal);
    private readonly Queue<StoredRun> _finished = new();

    // Finished runs kept whose journals are still entries, oldest first, with how many entries each had; guarded by _finished.
    private readonly Queue<(StoredRun Run, int Entries)> _toPack = new();
    private int _unpackedEntries;

    /// <summary>How many entries of finished runs' journals are kept as objects before the oldest journals are packed.</summary>
    private const int UnpackedFinishedEntries = 16_384;

    /// <summary>
    /// A finished journal this long is packed at once: a long run's thousands of entries are what the garbage collector
    /// marks over and over, and packing costs the same per entry now or later.
    /// </summary>
    private const int LongJournalEntries = 1_024;
    private readonly TimeProvider _time;

    /// <summary>Creates an empty store.</summary>
    /// <param name="timeProvider">Clock for timestamps and lease expiry; the system clock when null.</param>
    /// <param name="maxFinishedRuns">Finished runs kept before the oldest are forgotten.</param>
    public InMemoryRunStore(TimeProvider? timeProvider = null, int maxFinishedRuns = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFinishedRuns, 1);
        _time = timeProvider ?? TimeProvider.System;
        MaxFinishedRuns = maxFinishedRuns;
    }

    /// <summary>Finished runs (succeeded, failed or cancelled) kept before the oldest are forgotten.</summary>
    public int MaxFinishedRuns { get; }

    /// <inheritdoc/>
    public bool IsDurable => false;

    /// <inheritdoc/>
    public ValueTask<RunLease> CreateRunAsync(RunRecord run, string owner, TimeSpan leaseDuration, CancellationToken cancellationToken = default) =>
        CreateRunAsync(run, owner, leaseDuration, [], cancellationToken);

    /// <inheritdoc/>
    public ValueTask<RunLease> CreateRunAsync(RunRecord run, string owner, TimeSpan leaseDuration, IReadOnlyList<JournalEntry> initialEntries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentNullException.ThrowIfNull(initialEntries);
        var lease = new RunLease(run.RunId, owner, 1, _time.GetUtcNow() + leaseDuration);
        var stored = new StoredRun(run with { LeaseOwner = owner, LeaseExpiresAt = lease.ExpiresAt }) { Epoch = 1 };
        // Filled before the run is added: nobody sees it without its first entries.
        var journal = stored.Entries;
        foreach (var entry in initialEntries) journal.Add(entry with { Sequence = journal.Count + 1 });
        if (!_runs.TryAdd(run.RunId, stored))
        {
            throw new InvalidOperationException($"run '{run.RunId}' already exists");
        }

        return new(lease);
    }

    /// <inheritdoc/>
    public ValueTask<RunLease?> TryAcquireLeaseAsync(string runId, string owner, TimeSpan leaseDuration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        var run = Get(runId);
        lock (run)
        {
            var now = _time.GetUtcNow();
            var record = run.Record;
            if (record.LeaseOwner is not null && record.LeaseOwner != owner && record.LeaseExpiresAt > now) return new((RunLease?)null);
            run.Epoch++;
            var lease = new RunLease(runId, owner, run.Epoch, now + leaseDuration);
            run.Record = record with { LeaseOwner = owner, LeaseExpiresAt = lease.ExpiresAt };
            return new(lease);
        }
    }

    /// <inheritdoc/>
    public ValueTask<RunLease?> StealLeaseAsync(string runId, string deadOwner, string owner, TimeSpan leaseDuration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(deadOwner);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        var run = Get(runId);
        lock (run)
        {
            if (run.Record.LeaseOwner != deadOwner) return new((RunLease?)null);
            run.Epoch++;
            var lease = new RunLease(runId, owner, run.Epoch, _time.GetUtcNow() + leaseDuration);
            run.Record = run.Record with { LeaseOwner = owner, LeaseExpiresAt = lease.ExpiresAt };
            return new(lease);
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> RenewLeaseAsync(RunLease lease, TimeSpan leaseDuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        if (!_runs.TryGetValue(lease.RunId, out var run)) return new(false);
        lock (run)
        {
            if (run.Epoch != lease.Epoch) return new(false);
            run.Record = run.Record with { LeaseOwner = lease.Owner, LeaseExpiresAt = _time.GetUtcNow() + leaseDuration };
            return new(true);
        }
    }

    /// <inheritdoc/>
    public ValueTask ReleaseLeaseAsync(RunLease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        if (!_runs.TryGetValue(lease.RunId, out var run)) return ValueTask.CompletedTask;
        lock (run)
        {
            if (run.Epoch == lease.Epoch) run.Record = run.Record with { LeaseOwner = null, LeaseExpiresAt = null };
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<JournalEntry> AppendAsync(RunLease lease, JournalEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(entry);
        var run = Get(lease.RunId);
        lock (run)
        {
            if (run.Epoch != lease.Epoch) throw new RunLeaseLostException(lease);
            var journal = run.Entries;
            var stored = entry.Numbered(journal.Count + 1);
            journal.Add(stored);
            return new ValueTask<JournalEntry>(stored);
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<JournalEntry>> ReadJournalAsync(string runId, long afterSequence = 0, CancellationToken cancellationToken = default)
    {
        var run = Get(runId);
        lock (run)
        {
            return new ValueTask<IReadOnlyList<JournalEntry>>(run.Read((int)Math.Clamp(afterSequence, 0, int.MaxValue)));
        }
    }

    /// <inheritdoc/>
    public ValueTask<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken = default) =>
        new(_runs.TryGetValue(runId, out var run) ? run.Record : null);

    /// <inheritdoc/>
    public ValueTask SetStatusAsync(RunLease lease, RunStatus status, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var run = Get(lease.RunId);
        bool finished;
        lock (run)
        {
            if (run.Epoch != lease.Epoch) throw new RunLeaseLostException(lease);
            finished = HasEnded(status);
            run.Record = run.Record with { Status = status, UpdatedAt = _time.GetUtcNow() };
        }

        if (finished) Forget(run);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new RunQuery();
        IEnumerable<RunRecord> list = _runs.Values.Select(r => r.Record)
            .Where(r => query.Status is null || r.Status == query.Status)
            .Where(r => query.Workflow is null || r.Workflow == query.Workflow)
            .Where(r => query.ParentRunId is null || r.ParentRunId == query.ParentRunId)
            .Where(r => query.StartedAfter is null || r.StartedAt >= query.StartedAfter)
            .Where(r => query.StartedBefore is null || r.StartedAt < query.StartedBefore)
            .OrderByDescending(r => r.StartedAt)
            .ThenByDescending(r => r.RunId, StringComparer.Ordinal);
        if (query.Limit is { } limit) list = list.Take(limit);
        return new ValueTask<IReadOnlyList<RunRecord>>(list.ToArray());
    }

    /// <inheritdoc/>
    public ValueTask<HumanRequest> SaveHumanRequestAsync(HumanRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new(_requests.GetOrAdd(request.Id, request));
    }

    /// <inheritdoc/>
    public ValueTask<HumanRequest?> GetHumanRequestAsync(string requestId, CancellationToken cancellationToken = default) =>
        new(_requests.TryGetValue(requestId, out var request) ? request : null);

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<HumanRequest>> ListHumanRequestsAsync(string? runId = null, bool openOnly = true, CancellationToken cancellationToken = default)
    {
        var list = _requests.Values
            .Where(r => runId is null || r.RunId == runId)
            .Where(r => !openOnly || r.Status == HumanRequestStatus.Open)
            .OrderBy(r => r.CreatedAt)
            .ThenBy(r => r.Id, StringComparer.Ordinal)
            .ToArray();
        return new ValueTask<IReadOnlyList<HumanRequest>>(list);
    }

    /// <inheritdoc/>
    public ValueTask<bool> CloseHumanRequestAsync(string requestId, HumanRequestStatus status, string? answer, DateTimeOffset closedAt, CancellationToken cancellationToken = default)
    {
        if (status == HumanRequestStatus.Open) throw new ArgumentOutOfRangeException(nameof(status), "a request is closed with a final status");
        while (_requests.TryGetValue(requestId, out var current))
        {
            if (current.Status != HumanRequestStatus.Open) return new(false);
            var closed = current with { Status = status, Answer = status == HumanRequestStatus.Answered ? answer : null, ClosedAt = closedAt };
            if (_requests.TryUpdate(requestId, closed, current)) return new(true);
        }

        return new(false);
    }

    /// <inheritdoc/>
    public ValueTask<int> DeleteFinishedRunsAsync(DateTimeOffset finishedBefore, CancellationToken cancellationToken = default)
    {
        var deleted = 0;
        foreach (var (id, run) in _runs)
        {
            var record = run.Record;
            if (HasEnded(record.Status) && record.UpdatedAt < finishedBefore && _runs.TryRemove(id, out _))
            {
                deleted++;
                RemoveRequests(id);
            }
        }

        return new(deleted);
    }

    private void RemoveRequests(string runId)
    {
        foreach (var (id, request) in _requests)
        {
            if (request.RunId == runId) _requests.TryRemove(id, out _);
        }
    }

    private void Forget(StoredRun finished)
    {
        int entries;
        lock (finished)
        {
            if (finished.UnpackedCount >= LongJournalEntries) finished.PackIfEnded();
            entries = finished.UnpackedCount;
        }

        lock (_finished)
        {
            _finished.Enqueue(finished);
            if (entries > 0)
            {
                _toPack.Enqueue((finished, entries));
                _unpackedEntries += entries;
            }

            while (_finished.Count > MaxFinishedRuns)
            {
                var oldest = _finished.Dequeue();
                // Both queues are in finishing order, so a forgotten run not packed yet is the first of the runs to pack.
                if (_toPack.TryPeek(out var first) && ReferenceEquals(first.Run, oldest))
                {
                    _toPack.Dequeue();
                    _unpackedEntries -= first.Entries;
                }

                // A run resumed since it finished is unfinished again: keep it.
                var id = oldest.Record.RunId;
                if (_runs.TryGetValue(id, out var run) && ReferenceEquals(run, oldest) && HasEnded(run.Record.Status)
                    && _runs.TryRemove(id, out _))
                {
                    RemoveRequests(id);
                }
            }

            // The newest finished journals stay entries (packing one costs more than keeping a few thousand entries);
            // past that, the oldest are packed, so a store of long or many runs stays cheap for the garbage collector.
            while (_unpackedEntries > UnpackedFinishedEntries && _toPack.TryDequeue(out var older))
            {
                _unpackedEntries -= older.Entries;
                lock (older.Run) older.Run.PackIfEnded();
            }
        }
    }

    private static bool HasEnded(RunStatus status) => status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled;

    /// <summary>Whether a run's journal is kept packed (for tests).</summary>
    internal bool IsPacked(string runId)
    {
        var run = Get(runId);
        lock (run) return run.IsPacked;
    }

    private StoredRun Get(string runId) =>
        _runs.TryGetValue(runId, out var run) ? run : throw new KeyNotFoundException($"no run '{runId}' in the store");

    /// <summary>A run and its journal; every member is used under a lock on the instance.</summary>
    private sealed class StoredRun(RunRecord record)
    {
        private List<JournalEntry>? _entries = [];
        private PackedJournal? _packed;

        public RunRecord Record { get; set; } = record;

        public long Epoch { get; set; }

        /// <summary>The journal as entries to append to, unpacked first when the run was packed (a finished run resumed).</summary>
        public List<JournalEntry> Entries
        {
            get
            {
                if (_entries is null)
                {
                    _entries = [.. _packed!.Unpack()];
                    _packed = null;
                }

                return _entries;
            }
        }

        /// <summary>The entries after the first <paramref name="skip"/>, as a copy.</summary>
        public JournalEntry[] Read(int skip)
        {
            if (_packed is { } packed) return packed.Unpack(Math.Min(skip, packed.Count));
            skip = Math.Min(skip, _entries!.Count);
            return _entries.GetRange(skip, _entries.Count - skip).ToArray();
        }

        /// <summary>How many entries the journal holds as objects (none once packed).</summary>
        public int UnpackedCount => _entries?.Count ?? 0;

        public bool IsPacked => _packed is not null;

        /// <summary>
        /// Packs the journal of a run that finished writing it; a run resumed since it finished is writing again, so
        /// its journal stays entries.
        /// </summary>
        public void PackIfEnded()
        {
            if (_entries is null || !HasEnded(Record.Status)) return;
            _packed = PackedJournal.Pack(_entries);
            _entries = null;
        }
    }
}
