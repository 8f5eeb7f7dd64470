using System.Runtime.CompilerServices;
using Baton.Orleans;
using Baton.Storage;

namespace Baton.Cli;

/// <summary>
/// The progress of a run executing on a cluster's workers, shown as a local run's is (<see cref="Progress"/>): its steps'
/// completions and failures read from the shared store's journal, and its open questions, as they are written — the
/// run's own events live in the worker's memory, so the journal is what another process can follow.
/// </summary>
internal static class ClusterProgress
{
    /// <summary>How often the journal is read while the run goes on; its entries are shown at most this late.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Follows the run until it settles (ends, or waits for a person), showing its progress; returns where it stands.</summary>
    public static async Task<ClusterRunState> FollowAsync(BatonCluster baton, IRunStore store, string runId, bool json, CancellationToken cancellationToken)
    {
        var settled = baton.WaitAsync(runId, cancellationToken);
        if (!json) await Progress.FollowAsync(EventsAsync(store, runId, settled, cancellationToken), json: false, cancellationToken).ConfigureAwait(false);
        return await settled.ConfigureAwait(false);
    }

    /// <summary>The run's step events as the journal tells them, from its start, until <paramref name="settled"/> completes (then a last read).</summary>
    internal static async IAsyncEnumerable<RunEvent> EventsAsync(IRunStore store, string runId, Task settled, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long after = 0;
        var asked = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            // Read whether it settled before reading the store: the last read then sees everything the run wrote.
            var last = settled.IsCompleted;
            foreach (var entry in await store.ReadJournalAsync(runId, after, cancellationToken).ConfigureAwait(false))
            {
                after = Math.Max(after, entry.Sequence);
                if (ToEvent(runId, entry) is { } e) yield return e;
            }

            foreach (var request in await store.ListHumanRequestsAsync(runId, openOnly: true, cancellationToken).ConfigureAwait(false))
            {
                if (asked.Add(request.Id)) yield return new StepWaitingForHumanEvent(runId, request.CreatedAt, request.StepKey, request);
            }

            if (last) yield break;
            await Task.WhenAny(settled, Task.Delay(PollInterval, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>The event a journal entry stands for in the progress board; null for entries it does not show.</summary>
    internal static RunEvent? ToEvent(string runId, JournalEntry entry) => entry switch
    {
        { Kind: JournalEntryKind.StepCompleted, Key: { } key } => new StepCompletedEvent(
            runId, entry.Timestamp, key, entry.StepId ?? key, entry.Payload ?? Payload.Empty, entry.Attempts,
            entry.StartedAt == default ? TimeSpan.Zero : entry.Timestamp - entry.StartedAt, Replayed: false) { Usage = entry.Usage },
        { Kind: JournalEntryKind.StepFailed, Key: { } key, Error: { } error } => new StepFailedEvent(runId, entry.Timestamp, key, entry.StepId ?? key, error, entry.Attempts),
        _ => null,
    };
}
