namespace Baton.Soak.Fuzz;

/// <summary>What the fuzzer does: how many inputs, with which seed, against which targets, each bounded in time.</summary>
public sealed record FuzzOptions
{
    /// <summary>The seed every input comes from: input N of a target is the same for the same seed.</summary>
    public int Seed { get; init; } = 20261202;

    /// <summary>The inputs in all, shared among the targets by their weights.</summary>
    public int Inputs { get; init; } = 100_000;

    /// <summary>The targets fuzzed (<see cref="FuzzRunner.TargetNames"/>).</summary>
    public IReadOnlyList<string> Targets { get; init; } = FuzzRunner.TargetNames;

    /// <summary>How long one input may take before it counts as a hang (a watchdog, far above a real input's time).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long to fuzz for; null for no bound. Each target gets its weight's share of what is left when it starts, and
    /// stops early (with fewer inputs than its share) when that runs out.
    /// </summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>Told progress and each failure.</summary>
    public Action<string>? Log { get; init; }
}
