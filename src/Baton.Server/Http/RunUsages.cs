using System.Collections.Concurrent;
using Baton.Storage;

namespace Baton.Server.Http;

/// <summary>
/// What each run spent (tokens and cost), summed from its journal, for the runs list. An ended run's sum changes only if it
/// goes on (a failed run resumed), which changes its record's time: it is kept with that time (at most
/// <see cref="Capacity"/> of them); a run still going is summed again on every ask.
/// </summary>
internal sealed class RunUsages(IRunStore store)
{
    /// <summary>Sums of ended runs kept; past that, the cache starts again.</summary>
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, (DateTimeOffset UpdatedAt, Usage Usage)> _ended = new(StringComparer.Ordinal);

    public async Task<Usage> GetAsync(RunRecord run, CancellationToken cancellationToken)
    {
        if (_ended.TryGetValue(run.RunId, out var known) && known.UpdatedAt == run.UpdatedAt) return known.Usage;
        var usage = Usage.None;
        foreach (var entry in await store.ReadJournalAsync(run.RunId, 0, cancellationToken).ConfigureAwait(false)) usage += entry.Usage;
        if (run.Status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled)
        {
            if (_ended.Count >= Capacity) _ended.Clear();
            _ended[run.RunId] = (run.UpdatedAt, usage);
        }

        return usage;
    }
}
