using System.Collections.Concurrent;
using Baton.Storage;
using Microsoft.Extensions.Logging;

namespace Baton.Server.Events;

/// <summary>
/// The event archives of the runs a server has served: each run this server executes is watched from its start (or
/// resume) and its events archived; a run it never watched is told from its journal the first time a client asks.
/// At most <see cref="MaxArchives"/> are kept: past that, the archives of runs that ended go first, oldest first (a
/// client asking for such a run again is told it from its journal).
/// </summary>
internal sealed partial class RunEventArchives(BatonRuntime runtime, IReadOnlyCollection<string> hiddenKeys, ILogger logger, CancellationToken stopping)
{
    /// <summary>Archives kept before those of ended runs are let go.</summary>
    public const int MaxArchives = 1000;

    private readonly ConcurrentDictionary<string, (RunEventArchive Archive, RunEventJson Json)> _archives = new(StringComparer.Ordinal);

    // Run ids in the order their archives were made, for letting the oldest ended ones go.
    private readonly Queue<string> _order = new();

    /// <summary>
    /// Every run's changes as this server executes them (<c>GET /api/events</c>): starts, steps that ended, waits and ends,
    /// in short (<see cref="RunFeed.Summary"/>). It never ends; it keeps the latest <see cref="RunEventArchive.Capacity"/>.
    /// </summary>
    public RunEventArchive Feed { get; } = new();

    /// <summary>Archives a run this server executes, until this execution ends (a run that only waits keeps its archive open).</summary>
    public void Follow(RunHandle handle)
    {
        var created = false;
        var (archive, json) = _archives.GetOrAdd(handle.RunId, _ =>
        {
            created = true;
            return (new RunEventArchive(), new RunEventJson(hiddenKeys));
        });
        if (created) Kept(handle.RunId);
        archive.Reopen();
        // A run new to the archive (a fork, a run started elsewhere) is told whole, replayed steps included; otherwise the
        // steps its earlier executions did are in the archive already.
        _ = FollowAsync(handle, archive, json, includeReplayed: created);
    }

    private async Task FollowAsync(RunHandle handle, RunEventArchive archive, RunEventJson json, bool includeReplayed)
    {
        try
        {
            await foreach (var e in handle.WatchAsync(stopping).ConfigureAwait(false))
            {
                var shown = e is StepCompletedEvent { Replayed: true } replayed && includeReplayed ? json.From(replayed with { Replayed = false }) : json.From(e);
                if (shown is null) continue;
                archive.Add(shown.ToJsonString(RunEventJson.Compact));
                if (RunFeed.Summary(shown) is { } summary) Feed.Add(summary.ToJsonString(RunEventJson.Compact));
            }

            var result = await handle.Completion.ConfigureAwait(false);
            if (result.Status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled) archive.End();
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The server stops: its clients' streams end with it.
        }
        catch (Exception ex)
        {
            LogFollowFailed(logger, handle.RunId, ex);
        }
    }

    /// <summary>
    /// True when the runs execute in other processes (a cluster's workers): a run's archive is then told from the store's
    /// journal as it grows — its steps as they complete, its questions as they are asked — until the run ends.
    /// </summary>
    public bool FollowsStore { get; init; }

    // The runs told from the store: how far each was read, and whether something reads it now.
    private readonly ConcurrentDictionary<string, StoredRun> _stored = new(StringComparer.Ordinal);

    /// <summary>How often the journal of a run executing elsewhere is read; its events are served at most this late.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Tells a run executing in another process from the store until it ends or waits for a person (a run just started,
    /// answered, resumed or forked there); null when the store has no such run.
    /// </summary>
    public async Task<RunEventArchive?> FollowStoredAsync(string runId, CancellationToken cancellationToken)
    {
        var archive = await GetStoredAsync(runId, feed: true, cancellationToken).ConfigureAwait(false);
        if (archive is null || !_stored.TryGetValue(runId, out var stored)) return archive;
        archive.Reopen();
        stored.Poll(this, runId, archive);
        return archive;
    }

    /// <summary>
    /// Before this server steers a run executing elsewhere (answers or cancels it), makes its archive hold what the store
    /// has now, its open questions included: the answer then never overtakes, in the run's stream, the question it
    /// answers (a poll might otherwise first look after the question was already closed). Null when there is no such run.
    /// </summary>
    public async Task<RunEventArchive?> CatchUpStoredAsync(string runId, CancellationToken cancellationToken)
    {
        var archive = await GetStoredAsync(runId, feed: true, cancellationToken).ConfigureAwait(false);
        if (archive is not null && !archive.HasEnded && _stored.TryGetValue(runId, out var stored)) await stored.ReadAsync(this, runId, archive, feed: true, cancellationToken).ConfigureAwait(false);
        return archive;
    }

    /// <summary>A run's archive; null when the store has no such run.</summary>
    public async Task<RunEventArchive?> GetAsync(string runId, CancellationToken cancellationToken)
    {
        if (FollowsStore) return await GetStoredAsync(runId, feed: false, cancellationToken).ConfigureAwait(false);
        if (_archives.TryGetValue(runId, out var known)) return known.Archive;
        if (runtime.GetActiveRun(runId) is { } active)
        {
            Follow(active);
            return _archives[runId].Archive;
        }

        var record = await runtime.Store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
        if (record is null) return null;
        var json = new RunEventJson(hiddenKeys);
        var archive = new RunEventArchive();
        foreach (var entry in await runtime.Store.ReadJournalAsync(runId, 0, cancellationToken).ConfigureAwait(false))
        {
            if (json.From(runId, entry, record.Workflow) is { } shown) archive.Add(shown.ToJsonString(RunEventJson.Compact));
        }

        foreach (var request in await runtime.Store.ListHumanRequestsAsync(runId, openOnly: true, cancellationToken).ConfigureAwait(false))
        {
            if (json.From(request) is { } shown) archive.Add(shown.ToJsonString(RunEventJson.Compact));
        }

        // Only a run that waits for a person may go on here (answered through this server); any other run not executing
        // here has ended, or is executed by another process, whose live events this server cannot see.
        if (record.Status != RunStatus.Waiting) archive.End();
        var kept = _archives.GetOrAdd(runId, (archive, json)).Archive;
        if (ReferenceEquals(kept, archive)) Kept(runId);
        return kept;
    }

    private async Task<RunEventArchive?> GetStoredAsync(string runId, bool feed, CancellationToken cancellationToken)
    {
        if (_archives.TryGetValue(runId, out var known) && _stored.TryGetValue(runId, out var was))
        {
            // A run that went on without this server (answered elsewhere) is read again when a client asks for it.
            if (!known.Archive.HasEnded) was.Poll(this, runId, known.Archive);
            return known.Archive;
        }

        var record = await runtime.Store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
        if (record is null) return null;
        var made = (Archive: new RunEventArchive(), Json: new RunEventJson(hiddenKeys));
        var kept = _archives.GetOrAdd(runId, made);
        var stored = _stored.GetOrAdd(runId, _ => new StoredRun(kept.Json, record.Workflow));
        if (ReferenceEquals(kept.Archive, made.Archive)) Kept(runId);
        // The run's past is in the archive before it is served: a client reading it now gets all of it. The feed is told
        // only of runs this server steers, not the past of every run a client looks at.
        await stored.ReadAsync(this, runId, kept.Archive, feed, cancellationToken).ConfigureAwait(false);
        if (!kept.Archive.HasEnded) stored.Poll(this, runId, kept.Archive);
        return kept.Archive;
    }

    private void Kept(string runId)
    {
        lock (_order)
        {
            _order.Enqueue(runId);
            // Each id is looked at once per call: a run still going goes back to the end of the line.
            for (var look = _order.Count; _archives.Count > MaxArchives && look > 0 && _order.TryDequeue(out var oldest); look--)
            {
                if (!_archives.TryGetValue(oldest, out var known)) continue;
                if (known.Archive.HasEnded && _archives.TryRemove(oldest, out _)) _stored.TryRemove(oldest, out _);
                else _order.Enqueue(oldest);
            }
        }
    }

    /// <summary>
    /// A run told from the store: the journal entries and questions already in its archive, so each is added once and the
    /// archive's ids stay those a reconnecting client knows. One read at a time.
    /// </summary>
    private sealed class StoredRun(RunEventJson json, string workflow)
    {
        private readonly SemaphoreSlim _reading = new(1, 1);
        private readonly HashSet<string> _asked = new(StringComparer.Ordinal);
        private long _after;
        private int _polling;
        private int _askedAgain;

        /// <summary>Reads the store until the run ends, or waits with its questions told; one loop at a time.</summary>
        public void Poll(RunEventArchives archives, string runId, RunEventArchive archive)
        {
            // Asked while a loop runs: that loop reads once more before it stops, so a run answered just as the loop
            // saw it waiting is followed on.
            Volatile.Write(ref _askedAgain, 1);
            if (Interlocked.CompareExchange(ref _polling, 1, 0) != 0) return;
            _ = PollAsync(archives, runId, archive);
        }

        private async Task PollAsync(RunEventArchives archives, string runId, RunEventArchive archive)
        {
            try
            {
                while (true)
                {
                    Volatile.Write(ref _askedAgain, 0);
                    if (!await ReadAsync(archives, runId, archive, feed: true, archives.Stopping).ConfigureAwait(false))
                    {
                        await Task.Delay(archives.PollInterval, archives.Runtime.TimeProvider, archives.Stopping).ConfigureAwait(false);
                        continue;
                    }

                    Volatile.Write(ref _polling, 0);
                    if (Volatile.Read(ref _askedAgain) == 0 || Interlocked.CompareExchange(ref _polling, 1, 0) != 0) return;
                }
            }
            catch (OperationCanceledException) when (archives.Stopping.IsCancellationRequested)
            {
                // The server stops: its clients' streams end with it.
                Volatile.Write(ref _polling, 0);
            }
            catch (Exception ex)
            {
                Volatile.Write(ref _polling, 0);
                LogFollowFailed(archives.Logger, runId, ex);
            }
        }

        /// <summary>Adds what the store has that the archive lacks (to the feed too when <paramref name="feed"/>); true when the run has settled (ended, or waits with its questions told).</summary>
        public async Task<bool> ReadAsync(RunEventArchives archives, string runId, RunEventArchive archive, bool feed, CancellationToken cancellationToken)
        {
            var store = archives.Runtime.Store;
            await _reading.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // The status is read before the journal: when it says the run ended, the journal read after has its end.
                var record = await store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
                // The questions are read before the journal: the steps that ended before a question was asked are then
                // in this read of the journal, and told before it.
                var open = await store.ListHumanRequestsAsync(runId, openOnly: true, cancellationToken).ConfigureAwait(false);
                foreach (var entry in await store.ReadJournalAsync(runId, _after, cancellationToken).ConfigureAwait(false))
                {
                    _after = Math.Max(_after, entry.Sequence);
                    if (json.From(runId, entry, workflow) is { } shown) archives.Add(archive, shown, feed);
                }

                foreach (var request in open)
                {
                    if (_asked.Add(request.Id) && json.From(request) is { } shown) archives.Add(archive, shown, feed);
                }

                if (record is null || record.Status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled)
                {
                    archive.End();
                    return true;
                }

                // A waiting run goes on only when answered: whoever answers through this server follows it again.
                return record.Status == RunStatus.Waiting && open.Count > 0;
            }
            finally
            {
                _reading.Release();
            }
        }
    }

    private void Add(RunEventArchive archive, System.Text.Json.Nodes.JsonObject shown, bool feed)
    {
        archive.Add(shown.ToJsonString(RunEventJson.Compact));
        if (feed && RunFeed.Summary(shown) is { } summary) Feed.Add(summary.ToJsonString(RunEventJson.Compact));
    }

    private BatonRuntime Runtime => runtime;

    private ILogger Logger => logger;

    private CancellationToken Stopping => stopping;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watching the events of run {RunId} failed")]
    private static partial void LogFollowFailed(ILogger logger, string runId, Exception exception);
}
