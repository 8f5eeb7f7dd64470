using System.Collections.Concurrent;

namespace Baton.Storage;

/// <summary>
/// A store that keeps runs in memory: for tests and short-lived processes. It keeps the
/// <see cref="MaxFinishedRuns"/> most recently finished runs and forgets older ones, so a
/// long-lived process does not grow without bound; running runs are always kept.
/// </summary>
public sealed class InMemoryRunStore : IRunStore
{
    private readonly ConcurrentDictionary<string, StoredRun> _runs = new(StringComparer.Ordinal);
    private readonly Queue<string> _finished = new();
    private readonly TimeProvider _time;

    /// <summary>Creates an empty store.</summary>
    /// <param name="timeProvider">Clock for timestamps; the system clock when null.</param>
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
    public ValueTask CreateRunAsync(RunRecord run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (!_runs.TryAdd(run.RunId, new StoredRun(run)))
        {
            throw new InvalidOperationException($"run '{run.RunId}' already exists");
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<JournalEntry> AppendAsync(string runId, JournalEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var run = Get(runId);
        lock (run)
        {
            var stored = entry.Numbered(run.Journal.Count + 1);
            run.Journal.Add(stored);
            return new ValueTask<JournalEntry>(stored);
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<JournalEntry>> ReadJournalAsync(string runId, CancellationToken cancellationToken = default)
    {
        var run = Get(runId);
        lock (run) return new ValueTask<IReadOnlyList<JournalEntry>>(run.Journal.ToArray());
    }

    /// <inheritdoc/>
    public ValueTask<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken = default) =>
        new(_runs.TryGetValue(runId, out var run) ? run.Record : null);

    /// <inheritdoc/>
    public ValueTask SetStatusAsync(string runId, RunStatus status, CancellationToken cancellationToken = default)
    {
        var run = Get(runId);
        bool finished;
        lock (run)
        {
            finished = status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled;
            run.Record = run.Record with { Status = status, UpdatedAt = _time.GetUtcNow() };
        }

        if (finished) Forget(runId);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<RunRecord>> ListRunsAsync(RunStatus? status = null, CancellationToken cancellationToken = default)
    {
        var list = _runs.Values.Select(r => r.Record)
            .Where(r => status is null || r.Status == status)
            .OrderByDescending(r => r.StartedAt)
            .ThenByDescending(r => r.RunId, StringComparer.Ordinal)
            .ToArray();
        return new ValueTask<IReadOnlyList<RunRecord>>(list);
    }

    private void Forget(string finishedRunId)
    {
        lock (_finished)
        {
            _finished.Enqueue(finishedRunId);
            while (_finished.Count > MaxFinishedRuns)
            {
                var oldest = _finished.Dequeue();
                // A run resumed since it finished is running again: keep it.
                if (_runs.TryGetValue(oldest, out var run) && run.Record.Status != RunStatus.Running) _runs.TryRemove(oldest, out _);
            }
        }
    }

    private StoredRun Get(string runId) =>
        _runs.TryGetValue(runId, out var run) ? run : throw new KeyNotFoundException($"no run '{runId}' in the store");

    private sealed class StoredRun(RunRecord record)
    {
        public RunRecord Record { get; set; } = record;

        public List<JournalEntry> Journal { get; } = [];
    }
}
