using Baton.ClusterHost;

namespace Baton.Soak.Soak;

/// <summary>What the cluster soak does: how many worker kills, with which seed, on how many workers and runs at once.</summary>
public sealed record ClusterSoakOptions
{
    /// <summary>The seed every run's kill points come from: the same seed makes the same kill plans.</summary>
    public int Seed { get; init; } = 20261202;

    /// <summary>The worker SIGKILLs to make; runs start until this many landed.</summary>
    public int Kills { get; init; } = 200;

    /// <summary>The shapes run, in turn.</summary>
    public IReadOnlyList<string> Shapes { get; init; } = ClusterShapes.All;

    /// <summary>The Redis connection string of the cluster's membership.</summary>
    public required string Redis { get; init; }

    /// <summary>The PostgreSQL connection string of the store every worker shares.</summary>
    public required string Postgres { get; init; }

    /// <summary>Workers in the cluster (a killed one is replaced at once).</summary>
    public int Workers { get; init; } = 3;

    /// <summary>Runs in flight at once, spread by the cluster over its workers.</summary>
    public int Runs { get; init; } = 6;

    /// <summary>How long to start new runs for; null for no bound (the soak ends when the kills are made).</summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>Failures after which no new run starts.</summary>
    public int MaxFailures { get; init; } = 20;

    /// <summary>How long the whole soak may take before it counts as hung.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromHours(4);

    /// <summary>Told one line per run, per kill and per failure.</summary>
    public Action<string>? Log { get; init; }
}
