namespace Baton.Orleans;

/// <summary>The cluster's dead letters: every worker's event bus adds its own here (one grain, key 0).</summary>
public interface IDeadLetterGrain : IGrainWithIntegerKey
{
    /// <summary>Keeps a dead letter; one already kept (same worker, event and subscriber) is not kept twice.</summary>
    Task AddAsync(ClusterDeadLetter deadLetter);

    /// <summary>The dead letters kept, oldest first (the most recent 10,000).</summary>
    Task<IReadOnlyList<ClusterDeadLetter>> ListAsync();
}
