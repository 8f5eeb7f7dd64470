namespace Baton.Orleans;

/// <summary>Keeps the cluster's most recent dead letters in memory; a grain runs one turn at a time, so no lock.</summary>
internal sealed class DeadLetterGrain : Grain, IDeadLetterGrain
{
    /// <summary>Dead letters kept; the oldest are dropped past this.</summary>
    public const int Capacity = 10_000;

    private readonly LinkedList<ClusterDeadLetter> _kept = new();
    private readonly HashSet<(string Worker, string MessageId, string Subscriber)> _keys = [];

    public Task AddAsync(ClusterDeadLetter deadLetter)
    {
        ArgumentNullException.ThrowIfNull(deadLetter);
        // A worker retries a report whose reply it lost: the same dead letter again is not a second one.
        if (!_keys.Add((deadLetter.Worker, deadLetter.MessageId, deadLetter.Subscriber))) return Task.CompletedTask;
        _kept.AddLast(deadLetter);
        while (_kept.Count > Capacity)
        {
            var oldest = _kept.First!.Value;
            _kept.RemoveFirst();
            _keys.Remove((oldest.Worker, oldest.MessageId, oldest.Subscriber));
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ClusterDeadLetter>> ListAsync() => Task.FromResult<IReadOnlyList<ClusterDeadLetter>>([.. _kept]);
}
