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

    /// <summary>A run's archive; null when the store has no such run.</summary>
    public async Task<RunEventArchive?> GetAsync(string runId, CancellationToken cancellationToken)
    {
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

    private void Kept(string runId)
    {
        lock (_order)
        {
            _order.Enqueue(runId);
            // Each id is looked at once per call: a run still going goes back to the end of the line.
            for (var look = _order.Count; _archives.Count > MaxArchives && look > 0 && _order.TryDequeue(out var oldest); look--)
            {
                if (!_archives.TryGetValue(oldest, out var known)) continue;
                if (known.Archive.HasEnded) _archives.TryRemove(oldest, out _);
                else _order.Enqueue(oldest);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watching the events of run {RunId} failed")]
    private static partial void LogFollowFailed(ILogger logger, string runId, Exception exception);
}
