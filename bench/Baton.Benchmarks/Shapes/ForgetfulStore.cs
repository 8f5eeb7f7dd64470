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
    public ValueTask CreateRunAsync(RunRecord run, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc/>
    public ValueTask<JournalEntry> AppendAsync(string runId, JournalEntry entry, CancellationToken cancellationToken = default) =>
        new(entry with { Sequence = Interlocked.Increment(ref _sequence) });

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<JournalEntry>> ReadJournalAsync(string runId, CancellationToken cancellationToken = default) => new([]);

    /// <inheritdoc/>
    public ValueTask<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken = default) => new((RunRecord?)null);

    /// <inheritdoc/>
    public ValueTask SetStatusAsync(string runId, RunStatus status, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<RunRecord>> ListRunsAsync(RunStatus? status = null, CancellationToken cancellationToken = default) => new([]);
}
