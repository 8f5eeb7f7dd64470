using Baton.CrashHost;

namespace Baton.Soak.Soak;

/// <summary>What the soak does: how many kills, with which seed, on which stores and shapes.</summary>
public sealed record SoakOptions
{
    /// <summary>The seed every trial's kill points come from: the same seed makes the same kills.</summary>
    public int Seed { get; init; } = 20261202;

    /// <summary>The SIGKILLs to make; trials start until this many kills landed mid-run.</summary>
    public int Kills { get; init; } = 1000;

    /// <summary>The shapes killed, in turn.</summary>
    public IReadOnlyList<string> Shapes { get; init; } = CrashWorkflows.AllShapes;

    /// <summary>The PostgreSQL connection string; null to soak SQLite only.</summary>
    public string? Postgres { get; init; }

    /// <summary>Trials at once (each is one chain of processes).</summary>
    public int Parallel { get; init; } = 2;

    /// <summary>How long to start new trials for; null for no bound (the soak ends when the kills are made).</summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>Failed trials after which no new trial starts.</summary>
    public int MaxFailures { get; init; } = 20;

    /// <summary>The folder the trials' stores, logs and ledgers go in (deleted afterwards); a new temporary one when null.</summary>
    public string? Directory { get; init; }

    /// <summary>Told one line per trial and per failure.</summary>
    public Action<string>? Log { get; init; }
}
