using Baton.Storage;

namespace Baton.Orleans;

/// <summary>
/// How a silo takes part in running Baton workflows: what it advertises, how fast it notices a dead worker, how often it
/// looks for runs nobody is executing, and how it rebuilds a stored run's workflow.
/// </summary>
public sealed class BatonClusterOptions
{
    /// <summary>
    /// What this worker has that others may not (<c>"gpu"</c>, a licence): a run whose steps draw on a resource of that
    /// name is placed only on workers advertising it. Names are compared without regard to case.
    /// </summary>
    public ISet<string> Capabilities { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Workflows this worker can run by name (C# workflows; a workflow file's runs are rebuilt by <see cref="WorkflowResolver"/>).</summary>
    public IList<Workflow> Workflows { get; } = [];

    /// <summary>Rebuilds a stored run's workflow when it is not one of <see cref="Workflows"/> (for example from the workflow file text the run stored); null when it cannot.</summary>
    public Func<RunRecord, Workflow?>? WorkflowResolver { get; set; }

    /// <summary>
    /// How long a probe of another silo may take before it counts as missed (Orleans' default is 5 s). With
    /// <see cref="NumMissedProbesLimit"/> and <see cref="NumVotesForDeathDeclaration"/> this decides how soon a dead
    /// worker is noticed: the defaults here notice one in about 1-2 s.
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Missed probes after which a silo votes another dead (Orleans' default is 3).</summary>
    public int NumMissedProbesLimit { get; set; } = 2;

    /// <summary>Votes that declare a silo dead (Orleans' default is 2; with two workers only one can vote).</summary>
    public int NumVotesForDeathDeclaration { get; set; } = 1;

    /// <summary>How often the cluster looks for runs whose lease expired or whose worker died (besides at once when a worker is declared dead).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a worker's lease on a run lasts without renewal; a run left by a process outside the cluster is taken after it.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long one call that waits for a run blocks before it returns and is made again (below Orleans' response timeout).</summary>
    public TimeSpan WaitSlice { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// True (the default) to hold every resource's quotas — concurrency, requests and tokens per window — for the whole
    /// cluster through one quota grain per resource; false to let each worker hold them for itself.
    /// </summary>
    public bool ClusterWideQuotas { get; set; } = true;

    /// <summary>
    /// True (the default) to carry the events a step publishes on this worker to the subscriptions of every worker of
    /// the cluster (and take theirs here); false to keep each worker's event bus to itself.
    /// </summary>
    public bool ClusterWideEvents { get; set; } = true;

    /// <summary>How long a worker keeps trying to hand an event to another worker that does not answer, before the publication fails (it is published again when its run resumes).</summary>
    public TimeSpan EventRelayTimeout { get; set; } = TimeSpan.FromSeconds(60);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ProbeTimeout, TimeSpan.Zero, nameof(ProbeTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(NumMissedProbesLimit, 1, nameof(NumMissedProbesLimit));
        ArgumentOutOfRangeException.ThrowIfLessThan(NumVotesForDeathDeclaration, 1, nameof(NumVotesForDeathDeclaration));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(SweepInterval, TimeSpan.Zero, nameof(SweepInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(LeaseDuration, TimeSpan.FromMilliseconds(200), nameof(LeaseDuration));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(WaitSlice, TimeSpan.Zero, nameof(WaitSlice));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(EventRelayTimeout, TimeSpan.Zero, nameof(EventRelayTimeout));
        foreach (var capability in Capabilities)
        {
            if (string.IsNullOrWhiteSpace(capability) || capability.Contains(',', StringComparison.Ordinal)) throw new ArgumentException($"capability '{capability}' must be a non-empty name without commas", nameof(Capabilities));
        }
    }
}
